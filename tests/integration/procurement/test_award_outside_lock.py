"""The award's optimiser runs outside any transaction: others can work meanwhile, and a change made meanwhile
stops the award from being stored on stale inputs."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.procurement import engine, evaluation, opening, reports
from carepool.procurement.tables import AwardRow, TenderRow
from tests.integration.procurement.conftest import EALING, SME_A, World, usual_bids

LEAD = "proc@hf.test"


def _opened_tender(world: World) -> str:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller(LEAD), ref=ref)
    return ref


def _acorn_on_brent(world: World, ref: str) -> str:
    with world.db.uow() as uow:
        listing = reports.bid_listing(uow=uow, caller=world.caller(LEAD), ref=ref)
    return next(b.reference for b in listing.bids if b.provider_code == SME_A and b.lot_code == "HC-BRENT-KIL")


def _while_the_optimiser_runs(monkeypatch: pytest.MonkeyPatch, meanwhile: Any) -> None:
    real = engine.compare

    def compare(*args: Any, **kwargs: Any) -> engine.Comparison:
        meanwhile()
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "compare", compare)


def test_others_can_write_while_the_award_runs(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _opened_tender(world)
    written: list[str] = []

    def colleague_writes() -> None:  # on SQLite this waited out the lock and failed when the run held a transaction
        with world.db.uow() as uow:
            audit.record(uow=uow, actor="user:fin@ealing.test", organisation=EALING, action="note.written",
                         entity_type="note", entity_id="1", after={"text": "written during the award"})
            uow.commit()
        written.append("note")

    _while_the_optimiser_runs(monkeypatch, colleague_writes)
    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    with world.db.uow() as uow:
        status = uow.session.execute(select(TenderRow.status).where(TenderRow.ref == ref)).scalar_one()
        awards = uow.session.execute(select(func.count()).select_from(AwardRow)).scalar_one()
    assert written == ["note"] and status == "evaluated" and awards > 0
    with world.db.uow() as uow:  # the audit trail names each winner, not only its code
        event = next(e for e in audit.record_history(uow=uow, records=[("tender", ref)])
                     if e.action == "tender.evaluated")
    assert all(re.fullmatch(r"[A-Z][\w ]+ \(\d-\d+\)", line[0]) for line in event.after["awards"])


def test_a_panel_score_changed_during_the_run_stops_the_award_being_stored(world: World,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _opened_tender(world)
    acorn = _acorn_on_brent(world, ref)

    def score_meanwhile() -> None:
        with world.db.uow() as uow:
            opening.set_panel_score(uow=uow, caller=world.caller(LEAD), ref=ref, bid_ref=acorn, score=Decimal(55),
                                    note="references weaker than stated")

    _while_the_optimiser_runs(monkeypatch, score_meanwhile)
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    assert refused.value.kind == "conflict"
    assert refused.value.message == (f"tender {ref} changed while the award ran (its rules, lots, bids, panel "
                                     "scores or award): nothing was stored; run the award again")
    with world.db.uow() as uow:
        status = uow.session.execute(select(TenderRow.status).where(TenderRow.ref == ref)).scalar_one()
        awards = uow.session.execute(select(func.count()).select_from(AwardRow)).scalar_one()
    assert status == "closed" and awards == 0
    monkeypatch.undo()
    with world.db.uow() as uow:  # run again: the new score counts
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)


def test_an_override_saved_during_a_rerun_is_not_thrown_away(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _opened_tender(world)
    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    acorn = _acorn_on_brent(world, ref)

    def colleague_overrides() -> None:
        with world.db.uow() as uow:
            evaluation.override(uow=uow, caller=world.caller(LEAD), ref=ref, reason="keep Acorn for continuity",
                                allocations=[evaluation.Allocation(acorn, Decimal(660))])

    _while_the_optimiser_runs(monkeypatch, colleague_overrides)
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="changed while the award ran"):
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    with world.db.uow() as uow:
        reason = uow.session.execute(select(TenderRow.override_reason).where(TenderRow.ref == ref)).scalar_one()
        sources = set(uow.session.execute(select(AwardRow.source)).scalars())
    assert reason == "keep Acorn for continuity" and "override" in sources


def test_an_override_typed_on_a_page_older_than_the_award_is_refused(world: World) -> None:
    from fastapi.testclient import TestClient

    from carepool.web.app import create_app
    from tests.integration.helpers import sign_in

    ref = _opened_tender(world)
    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    acorn = _acorn_on_brent(world, ref)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        seen = re.search(r'name="award_seen" value="([0-9a-f]{16})"', client.get(f"/tenders/{ref}").text)
        assert seen is not None
        with world.db.uow() as uow:  # meanwhile a colleague changes the award by hand
            evaluation.override(uow=uow, caller=world.caller(LEAD), ref=ref, reason="continuity",
                                allocations=[evaluation.Allocation(acorn, Decimal(660))])
        page = client.post(f"/tenders/{ref}/override", data={"award_seen": seen.group(1), f"q{acorn}": "330",
                                                              "reason": "split it"}, follow_redirects=True).text
    assert "the award changed after you opened the page" in page
    with world.db.uow() as uow:
        reason = uow.session.execute(select(TenderRow.override_reason).where(TenderRow.ref == ref)).scalar_one()
    assert reason == "continuity"  # the colleague's change stands
