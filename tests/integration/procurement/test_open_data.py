"""Open data without signing in: published tenders as OCDS, contracts awarded as CSV; drafts and bids never."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from fastapi.testclient import TestClient

from carepool.procurement import service as procurement
from carepool.procurement import tendering
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import RULES, World

LEAD = "proc@hf.test"


def _tenders(world: World) -> tuple[str, str]:
    """A published tender of Brent's and Ealing's lots, and a draft of Hammersmith's."""
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        plan = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    refs = []
    for codes in ({"HC-BRENT-KIL", "HC-EALING-ACT"}, {"HC-HF-NORTH"}):
        with world.db.uow() as uow:
            refs.append(tendering.create_tender(
                uow=uow, caller=lead, consortium_id=world.consortium_id, title="Home care",
                lot_ids=[s.id for s in plan if s.lot.code in codes], rules=RULES,
                deadline=world.clock.now + timedelta(days=14)).ref)
    with world.db.uow() as uow:
        tendering.publish(uow=uow, caller=lead, ref=refs[0])
    return refs[0], refs[1]


def test_anyone_reads_published_tenders_and_contracts_awarded(world: World) -> None:
    ref, draft = _tenders(world)
    with world.db.uow() as uow:  # a draft cancelled before it was published: it never was public
        tendering.cancel(uow=uow, caller=world.caller(LEAD), ref=draft, reason="not needed")
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.37", 80)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.11", 70, capacity="5000")
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.00", 70, capacity="5000")
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "23.95", 55)  # under the quality floor: never awarded
    with TestClient(create_app(database=world.db)) as anyone:  # never signed in
        index = anyone.get("/open-data")
        assert index.status_code == 200 and "/open-data/pooled-budgets.csv" in index.text
        assert "set-cookie" not in index.headers  # a page without forms sets no cookie
        assert "set-cookie" in anyone.get("/login").headers  # the sign-in form needs its token
        anyone.cookies.clear()
        page = anyone.get("/open-data/tenders")
        assert page.status_code == 200 and ref in page.text and draft not in page.text
        for path in (f"/open-data/tenders/{draft}.json", f"/open-data/tenders/{draft}-record.json"):
            assert anyone.get(path).status_code == 404  # as if it did not exist
        sealed = anyone.get(f"/open-data/tenders/{ref}.json")
        assert sealed.status_code == 200 and sealed.json()["releases"][0]["tender"]["id"]
        assert not any(p in sealed.text for p in ("22.37", "21.11", "23.95"))  # sealed bids stay sealed
        assert anyone.get("/open-data/contracts.csv").text.count("\n") == 1  # the header: nothing awarded yet

        world.clock.advance(days=15)
        world.award(ref)
        text = anyone.get("/open-data/contracts.csv").text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["lot"] for r in rows} == {"HC-BRENT-KIL", "HC-EALING-ACT"}
        assert all(r["contract"] == "after standstill" and r["tender"] == ref for r in rows)
        assert all(Decimal(r["yearly_value"]) == (Decimal(r["hours_per_week"]) * Decimal(r["price_per_hour"]) * 52)
                   .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for r in rows)  # checkable from its row
        assert all(Decimal(r["term_value"]) == Decimal(r["yearly_value"]) * int(r["term_years"]) for r in rows)
        assert "the value of the <strong>whole term</strong>, 4 years" in anyone.get("/open-data/tenders").text
        record = anyone.get(f"/open-data/tenders/{ref}-record.json")
        assert record.status_code == 200 and record.json()["records"][0]["ocid"].endswith(ref)
        assert "23.95" not in record.text and "23.95" not in text  # a losing price stays private
        awarded = record.json()["records"][0]["compiledRelease"]["awards"]
        assert sorted(Decimal(str(a["value"]["amount"])) for a in awarded) == sorted(
            Decimal(r["term_value"]) for r in rows)  # what OCDS publishes is the CSV's term value
        total = sum(Decimal(r["yearly_value"]) for r in rows)
        assert f'<th scope="row" colspan="4">Total</th><td class="num">£{total:,.2f}</td>' in anyone.get(
            "/open-data/tenders").text  # the page's total is the CSV's rows added up
        assert anyone.get("/open-data/tenders").text.count("<td>the optimiser</td>") == len(rows)  # who decided


def test_the_navigation_offers_each_user_what_its_roles_open(world: World) -> None:
    def links(email: str) -> list[str]:
        with TestClient(create_app(database=world.db)) as client:
            sign_in(client, email)
            page = client.get("/tenders").text
        nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
        return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)

    assert links("bids@a.test") == ["Dashboard", "Procurement", "Open data", "API"]  # a provider
    assert links("bids@b.test") == ["Dashboard", "Procurement", "Audit trail", "Open data",
                                    "API"]  # a provider's admin: its own trail, not the partners' pages
    assert links("proc@hf.test") == ["Dashboard", "Partners", "Pooled budgets", "Procurement", "Audit trail",
                                     "Open data", "API"]
    assert "Audit trail" not in links("viewer@brent.test")
