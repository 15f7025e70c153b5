"""Two things at the same moment, on two connections: a bid sealed at the deadline while the bids are opened, and two
tenders created at once. On PostgreSQL the rows locked decide the order; on SQLite one writer at a time does.

Each test holds one side still in the middle of its transaction (a step of it waits for the test's signal), checks
that the other side waits for it (rather than going ahead on what it read before), then lets both finish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as StillWaiting
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from carepool.core.clock import FixedClock
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.db.engine import Database
from carepool.partners.model import Caller
from carepool.procurement import bidding, coverage, opening, sealing, tendering
from carepool.procurement import service as procurement
from carepool.procurement.model import BidContent, Opening, Receipt
from carepool.procurement.tables import BidRow, TenderRow
from tests.integration.procurement.conftest import RULES, World, usual_bids

LEAD, BIRCH = "proc@hf.test", "bids@b.test"
WAIT = 10  # seconds: the longest a held step waits for the test to let it go on
SEEN_WAITING = 1.5  # seconds the other side is watched, to see that it waits


class Hold:
    """Makes a function wait, the first time it is called, until the test lets it go on."""

    def __init__(self) -> None:
        self.reached, self.go = threading.Event(), threading.Event()

    def around(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            if not self.reached.is_set():
                self.reached.set()
                assert self.go.wait(WAIT), "the test never let the held step go on"
            return function(*args, **kwargs)
        return held


@contextmanager
def database_at(world: World, when: datetime) -> Iterator[Database]:
    """A second connection pool on the world's database, on its own clock (each server reads its own time)."""
    db = Database(world.db.url, clock=FixedClock(when))
    try:
        yield db
    finally:
        db.dispose()


def _deadline(world: World, ref: str) -> datetime:
    with world.db.uow() as uow:
        deadline = uow.session.execute(select(TenderRow.deadline).where(TenderRow.ref == ref)).scalar_one()
    assert deadline is not None
    return deadline


def _seal(db: Database, caller: Caller, ref: str) -> Receipt:
    with db.uow() as uow:
        return bidding.submit_bid(uow=uow, caller=caller, ref=ref, lot_code="HC-BRENT-KIL",
                                  content=BidContent(Money.parse("21.90"), Decimal(72), None, None))


def _open(db: Database, caller: Caller, ref: str) -> Opening:
    with db.uow() as uow:
        return opening.open_bids(uow=uow, caller=caller, ref=ref)


def _waits(future: Future[Any]) -> bool:
    try:
        future.result(timeout=SEEN_WAITING)
    except StillWaiting:
        return True
    return False


def _statuses(world: World, ref: str) -> dict[str, str]:
    with world.db.uow() as uow:
        tender_id = uow.session.execute(select(TenderRow.id).where(TenderRow.ref == ref)).scalar_one()
        rows = uow.session.execute(select(BidRow.reference, BidRow.status).where(BidRow.tender_id == tender_id))
        return {reference: status for reference, status in rows}


def test_a_bid_sealed_as_the_bids_are_opened_is_opened_with_them(world: World,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Birch seals a second before the deadline; the lead opens a second after it, while the seal is still being
    written. Opening waits for the seal to commit and opens it: no bid is left sealed, with its receipt, in a
    closed tender."""
    ref = world.tender()
    usual_bids(world, ref)
    deadline, birch, lead = _deadline(world, ref), world.caller(BIRCH), world.caller(LEAD)
    hold = Hold()
    monkeypatch.setattr(sealing, "seal", hold.around(sealing.seal))
    with (database_at(world, deadline - timedelta(seconds=1)) as before, database_at(world, deadline + timedelta(
            seconds=1)) as after, ThreadPoolExecutor(2) as pool):
        sealed = pool.submit(_seal, before, birch, ref)
        assert hold.reached.wait(WAIT)  # the seal holds the tender, its bid not yet written
        opened = pool.submit(_open, after, lead, ref)
        waited = _waits(opened)
        hold.go.set()
        receipt, found = sealed.result(timeout=WAIT), opened.result(timeout=WAIT)
    assert waited, "opening went ahead while a bid was being sealed"
    statuses = _statuses(world, ref)
    assert statuses[receipt.bid_ref] == "opened" and found.opened == 7
    assert "submitted" not in statuses.values()


def test_a_bid_sealed_while_the_bids_are_opened_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other way round: the lead is opening (the tender locked, the bids read); Birch's seal, by a clock a
    second short of the deadline, waits for the opening and is then refused, as the tender is closed."""
    ref = world.tender()
    usual_bids(world, ref)
    deadline, birch, lead = _deadline(world, ref), world.caller(BIRCH), world.caller(LEAD)
    hold = Hold()
    monkeypatch.setattr(opening, "_problem", hold.around(opening._problem))
    with (database_at(world, deadline - timedelta(seconds=1)) as before, database_at(world, deadline + timedelta(
            seconds=1)) as after, ThreadPoolExecutor(2) as pool):
        opened = pool.submit(_open, after, lead, ref)
        assert hold.reached.wait(WAIT)  # opening holds the tender, checking the first bid
        sealed = pool.submit(_seal, before, birch, ref)
        waited = _waits(sealed)
        hold.go.set()
        found = opened.result(timeout=WAIT)
        with pytest.raises(CarepoolError) as refused:
            sealed.result(timeout=WAIT)
    assert waited, "a bid was sealed while the bids were being opened"
    assert refused.value.kind == "conflict" and "it is not open for bids" in refused.value.message
    assert found.opened == 6 and "submitted" not in _statuses(world, ref).values()


def test_two_tenders_created_at_once_get_the_next_references(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both see CP-2026-001 as next; the second to store it takes CP-2026-002 (it was a 500, the reference's unique
    index refusing it)."""
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        lots = [s.id for s in procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)]
    deadline = world.clock.now + timedelta(days=14)

    def create(lot_id: int, title: str) -> str:
        with world.db.uow() as uow:
            return tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title=title,
                                           lot_ids=[lot_id], rules=RULES, deadline=deadline).ref

    hold = Hold()
    monkeypatch.setattr(coverage, "check_not_live_elsewhere", hold.around(coverage.check_not_live_elsewhere))
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(create, lots[0], "Brent home care")
        assert hold.reached.wait(WAIT)  # the first tender is stored, not yet committed
        second = pool.submit(create, lots[1], "Ealing home care")
        waited = _waits(second)
        hold.go.set()
        refs = first.result(timeout=WAIT), second.result(timeout=WAIT)
    assert waited  # for the first to commit: its reference, or (SQLite) the database
    assert refs == ("CP-2026-001", "CP-2026-002")
    with world.db.uow() as uow:
        assert sorted(uow.session.execute(select(TenderRow.ref)).scalars()) == ["CP-2026-001", "CP-2026-002"]


def test_references_follow_the_highest_so_far(world: World) -> None:
    """Numbered one above the highest, not by counting the tenders: CP-2026-1000 follows CP-2026-999."""
    lead = world.caller(LEAD)
    first = world.tender(publish=False)
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=lead, ref=first, reason="re-scoping")
    with world.db.uow() as uow:
        uow.session.execute(select(TenderRow).where(TenderRow.ref == first)).scalar_one().ref = "CP-2026-999"
        uow.commit()
    assert world.tender(publish=False) == "CP-2026-1000"
