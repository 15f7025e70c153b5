"""A small consortium to buy home care: three boroughs and the ICB, one outsider, three providers.

    Brent (Kilburn)          600 h/week at £23.40   + ICB continuing care 60 h/week at £24.75
    Ealing (Acton)           900 h/week at £22.80
    Hammersmith & Fulham     400 h/week at £24.90   (lead: proc@hf.test)

The clock is fixed at Monday 2 March 2026, 09:00 UTC and moves only when a test says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from carepool import cli_support
from carepool.cli import main
from carepool.core.clock import FixedClock
from carepool.core.money import Money
from carepool.db.engine import Database
from carepool.partners import access, service
from carepool.partners.model import Caller, Locality, Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.procurement import bidding, consortia, evaluation, opening, tendering
from carepool.procurement import service as procurement
from carepool.procurement.model import BidContent, DemandLine
from carepool.web.app import create_app
from tests.integration.helpers import PASSWORD, token_for

BRENT, EALING, HF, HARROW, ICB = "E09000005", "E09000009", "E09000013", "E09000015", "QRV"
SME_A, SME_B, LARGE_C = "1-101000001", "1-101000002", "1-101000003"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = {"max_share": "0.6", "min_sme_share": "0.25", "min_quality": "60", "max_providers": 2}
USERS = {
    "proc@hf.test": (HF, ("procurement", "commissioner")),
    "comm@brent.test": (BRENT, ("commissioner",)),
    "fin@ealing.test": (EALING, ("finance",)),
    "comm@icb.test": (ICB, ("commissioner",)),
    "admin@hf.test": (HF, ("admin",)),
    "viewer@brent.test": (BRENT, ("viewer",)),
    "proc@harrow.test": (HARROW, ("procurement", "admin")),
    "bids@a.test": (SME_A, ("provider",)),
    "bids@b.test": (SME_B, ("provider", "admin")),
    "bids@c.test": (LARGE_C, ("provider",)),
}


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest: these tests are about procurement, not password hashing."""
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass
class World:
    db: Database
    clock: FixedClock
    consortium_id: int

    def caller(self, email: str) -> Caller:
        with self.db.uow() as uow:
            user = next(u for u in access.list_all_users(uow=uow) if u.email == email)
            return access.caller_for_user(uow=uow, user_id=user.id)

    def tender(self, *, publish: bool = True, rules: dict[str, object] | None = None, days: int = 14) -> str:
        lead = self.caller("proc@hf.test")
        with self.db.uow() as uow:
            lots = procurement.build_lots(uow=uow, caller=lead, consortium_id=self.consortium_id)
        with self.db.uow() as uow:
            tender = tendering.create_tender(
                uow=uow, caller=lead, consortium_id=self.consortium_id, title="Home care 2026", lot_ids=[
                    s.id for s in lots], rules=rules or RULES, deadline=self.clock.now + timedelta(days=days))
        if publish:
            with self.db.uow() as uow:
                tendering.publish(uow=uow, caller=lead, ref=tender.ref)
        return tender.ref

    def award(self, ref: str, *, confirm: bool = True) -> None:
        """The consortium lead opens the bids (the deadline must have passed), runs the award, confirms it."""
        lead = self.caller("proc@hf.test")
        steps = [opening.open_bids, lambda **kw: evaluation.evaluate(**kw, time_limit=10)]
        for step in steps + ([evaluation.confirm] if confirm else []):
            with self.db.uow() as uow:
                step(uow=uow, caller=lead, ref=ref)

    def bid(self, email: str, ref: str, lot: str, price: str, quality: int = 75, max_quantity: str | None = None,
            capacity: str | None = None) -> bidding.Receipt:
        content = BidContent(Money.parse(price), Decimal(quality),
                             None if max_quantity is None else Decimal(max_quantity),
                             None if capacity is None else Decimal(capacity))
        with self.db.uow() as uow:
            return bidding.submit_bid(uow=uow, caller=self.caller(email), ref=ref, lot_code=lot, content=content)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(database=world.db)) as test_client:
        yield test_client


def bearer(world: World, email: str) -> dict[str, str]:
    """The API's header for a user of the world."""
    return {"Authorization": f"Bearer {token_for(world.db, email)}"}


def usual_bids(world: World, ref: str) -> None:
    """Acorn on Brent and H&F, Birch on Ealing (500 hours at most), Crown on all three and cheapest."""
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="700")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78, capacity="700")
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "22.40", 70, max_quantity="500", capacity="500")
    for lot, price in (("HC-BRENT-KIL", "21.20"), ("HC-EALING-ACT", "21.00"), ("HC-HF-NORTH", "22.80")):
        world.bid("bids@c.test", ref, lot, price, 70, capacity="5000")


def demand() -> list[DemandLine]:
    return [
        DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal(600), Money.parse("23.40")),
        DemandLine(ICB, "home-care", "BRENT-KIL", Decimal(60), Money.parse("24.75")),
        DemandLine(EALING, "home-care", "EALING-ACT", Decimal(900), Money.parse("22.80")),
        DemandLine(HF, "home-care", "HF-NORTH", Decimal(400), Money.parse("24.90")),
    ]


def load_partners(db: Database) -> None:
    council = OrgKind.LOCAL_AUTHORITY
    orgs = [Organisation(BRENT, "Brent", council), Organisation(EALING, "Ealing", council),
            Organisation(HF, "Hammersmith and Fulham", council), Organisation(HARROW, "Harrow", council),
            Organisation(ICB, "NWL ICB", OrgKind.NHS_COMMISSIONER),
            Organisation(SME_A, "Acorn Care", OrgKind.PROVIDER, sme=True),
            Organisation(SME_B, "Birch Home Help", OrgKind.PROVIDER, sme=True),
            Organisation(LARGE_C, "Crown Care plc", OrgKind.PROVIDER)]
    localities = [Locality("BRENT-KIL", "Kilburn", BRENT, ICB), Locality("EALING-ACT", "Acton", EALING, ICB),
                  Locality("HF-NORTH", "Hammersmith North", HF, ICB), Locality("HARROW-E", "Harrow East", HARROW, ICB)]
    with db.uow() as uow:
        service.import_batch(uow=uow, actor="test", batch=PartnerBatch(
            organisations=[Located(o) for o in orgs], localities=[Located(loc) for loc in localities]))
    for email, (org, roles) in USERS.items():
        with db.uow() as uow:
            access.create_user(uow=uow, actor="test", email=email, name=email.split("@")[0], organisation_code=org,
                               roles=list(roles), password=PASSWORD)


@pytest.fixture
def world(database: Database) -> Iterator[World]:
    clock = FixedClock(START)
    db = Database(database.url, clock=clock)
    load_partners(db)
    lead_world = World(db, clock, 0)
    lead = lead_world.caller("proc@hf.test")
    with db.uow() as uow:
        consortium = consortia.create_consortium(uow=uow, caller=lead, name="West London",
                                                   members=[BRENT, EALING, ICB])
    for answering in ("comm@brent.test", "fin@ealing.test", "comm@icb.test"):  # each accepts its invitation
        with db.uow() as uow:
            consortia.accept(uow=uow, caller=lead_world.caller(answering), consortium_id=consortium.id)
    with db.uow() as uow:
        procurement.save_demand(uow=uow, caller=lead, consortium_id=consortium.id,
                                lines=[Located(line) for line in demand()])
    lead_world.consortium_id = consortium.id
    yield lead_world
    db.dispose()


@pytest.fixture
def cli(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The CLI opens the world's database on the world's fixed clock (the CLI itself reads the system clock)."""
    monkeypatch.setattr(cli_support, "open_database", lambda: Database(world.db.url, clock=world.clock))
    return world


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `carepool tender ...`, with line wrapping undone."""
    code = main(["tender", *args])
    captured = capsys.readouterr()
    return code, " ".join(captured.out.split()), " ".join(captured.err.split())
