"""A tender may say when its contracts start ("April 2027"): the contracts start then, or the day after
standstill if that is later, and the open contracting data says so."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from carepool.core.errors import CarepoolError
from carepool.procurement import evaluation, reports, tendering
from carepool.procurement import service as procurement
from carepool.procurement.model import contract_period
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import RULES, World, bearer, run, usual_bids

LEAD = "proc@hf.test"


def test_contracts_start_on_the_tenders_date_or_after_standstill() -> None:
    from datetime import UTC, datetime

    standstill = datetime(2026, 12, 20, 12, tzinfo=UTC)
    assert contract_period(standstill) == (date(2026, 12, 21), date(2030, 12, 20))
    assert contract_period(standstill, date(2027, 4, 1)) == (date(2027, 4, 1), date(2031, 3, 31))
    assert contract_period(standstill, date(2026, 12, 1)) == (date(2026, 12, 21), date(2030, 12, 20))  # too late


def test_a_tenders_contract_start_is_checked_kept_and_used(world: World, client: TestClient) -> None:
    lead = world.caller(LEAD)
    deadline = world.clock.now + timedelta(days=14)
    with world.db.uow() as uow:
        lots = [s.id for s in procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)]
    too_soon = deadline.date() + timedelta(days=5)
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Home care",
                                lot_ids=lots, rules=RULES, deadline=deadline, contract_start=too_soon)
    earliest = deadline.date() + timedelta(days=11)
    assert refused.value.message == (f"contracts cannot start on {too_soon:%Y-%m-%d}: the deadline is "
                                     f"{deadline:%Y-%m-%d} and the 10-day standstill follows the award, so the "
                                     f"earliest start is {earliest:%Y-%m-%d}")
    start = deadline.date() + timedelta(days=60)
    with world.db.uow() as uow:
        ref = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Home care",
                                      lot_ids=lots, rules=RULES, deadline=deadline, contract_start=start).ref
    later = start + timedelta(days=1)
    moved = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                         json={"contract_start": later.isoformat()})
    assert moved.status_code == 200 and moved.json()["contract_start"] == later.isoformat()
    with world.db.uow() as uow:
        tendering.publish(uow=uow, caller=lead, ref=ref)
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref)
    world.clock.advance(days=11)
    with world.db.uow() as uow:
        evaluation.make_contracts(uow=uow, caller=lead, ref=ref)
        tender_id = tendering.get_tender(uow=uow, caller=lead, ref=ref).id
        lines = reports.award_lines(uow, tender_id)
    assert lines and all(line.start == later for line in lines)
    assert all(line.end == later.replace(year=later.year + 4) - timedelta(days=1) for line in lines)
    record = client.get(f"/open-data/tenders/{ref}-record.json").json()["records"][0]["compiledRelease"]
    assert {lot["contractPeriod"]["startDate"][:10] for lot in record["tender"]["lots"]} == {later.isoformat()}
    page = client.get(f"/tenders/{ref}", headers=bearer(world, LEAD)).text
    assert f"start {later:%Y-%m-%d} (or the day after standstill, if later) and run 4 years" in page


def test_the_cli_sets_when_contracts_start(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    ref = cli.tender(publish=False, days=20)
    with cli.db.uow() as uow:
        deadline = tendering.get_tender(uow=uow, caller=cli.caller(LEAD), ref=ref).deadline
    start = deadline.date() + timedelta(days=40)  # type: ignore[union-attr]
    assert run(capsys, "edit", ref, "--as", LEAD, "--contract-start", start.isoformat())[0] == 0
    code, _, err = run(capsys, "edit", ref, "--as", LEAD, "--contract-start", "April")
    assert code == 2 and "--contract-start: expected a date like 2027-04-01, got 'April'" in err
    with cli.db.uow() as uow:
        assert tendering.get_tender(uow=uow, caller=cli.caller(LEAD), ref=ref).contract_start == start


def test_a_contract_start_can_be_removed_and_moves_with_a_deadline_an_edit_moves(world: World,
                                                                                  client: TestClient) -> None:
    ref = world.tender(days=14)
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        deadline = tendering.get_tender(uow=uow, caller=lead, ref=ref).deadline
    earliest = deadline.date() + timedelta(days=11)  # type: ignore[union-attr]
    set_start = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                             json={"contract_start": earliest.isoformat()})
    assert set_start.status_code == 200 and set_start.json()["contract_start"] == earliest.isoformat()
    world.clock.advance(days=12)  # two days before the deadline: a real edit moves it out to 7 days from now
    with world.db.uow() as uow:
        fixed = tendering.update_tender(uow=uow, caller=lead, ref=ref, title="Home care 2026 (typo fixed)")
    later = fixed.deadline.date() + timedelta(days=11)  # type: ignore[union-attr]
    assert fixed.contract_start == fixed.contract_start_moved == later and later > earliest
    removed = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                           json={"contract_start": None})
    assert removed.status_code == 200 and removed.json()["changed"] is True
    assert removed.json()["contract_start"] is None
    kept = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD), json={"title": "Home care"})
    assert kept.json()["contract_start"] is None  # not given: left as it is
    client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD), json={"contract_start": str(later)})
    sign_in(client, LEAD)
    page = client.post(f"/tenders/{ref}/edit", data={"contract_start": ""}, follow_redirects=True)  # field emptied
    assert "Tender changed." in page.text
    with world.db.uow() as uow:
        assert tendering.get_tender(uow=uow, caller=lead, ref=ref).contract_start is None
