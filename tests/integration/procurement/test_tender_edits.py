"""Editing a tender changes only what it says it changes: a partial rules edit keeps the other rules, an edit
that changes nothing invalidates no bid, and an edit made on a stale form does not overwrite someone else's."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.procurement import tendering
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import World, bearer

LEAD = "proc@hf.test"


def _events(world: World, ref: str) -> list[str]:
    with world.db.uow() as uow:
        return [e.action for e in audit.record_history(uow=uow, records=[("tender", ref)])]


def _view(world: World, ref: str) -> tendering.TenderView:
    with world.db.uow() as uow:
        return tendering.get_tender(uow=uow, caller=world.caller(LEAD), ref=ref)


def test_a_rules_edit_changes_only_the_rules_it_gives(world: World, client: TestClient) -> None:
    ref = world.tender(publish=False)
    answer = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                          json={"rules": {"max_share": "0.4", "min_quality": None}})
    assert answer.status_code == 200, answer.text
    rules = answer.json()["rules"]
    assert rules == _view(world, ref).rules.as_dict()
    assert rules["max_share"] == "0.4" and rules["min_sme_share"] == "0.25" and rules["max_providers"] == 2
    assert rules["min_quality"] is None  # null removes a rule
    with world.db.uow() as uow:  # the trail shows what changed, not the whole form again
        edited = next(e for e in audit.record_history(uow=uow, records=[("tender", ref)])
                      if e.action == "tender.edited")
    assert set(edited.after) == {"rules", "version", "bids_invalidated"} and set(edited.before) == {"rules", "version"}


def test_an_edit_that_changes_nothing_invalidates_no_bid(world: World, client: TestClient) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80)
    world.clock.advance(days=10)  # four days to go: a real change would move the deadline out
    before = _view(world, ref)
    answer = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                          json={"rules": {"max_share": "0.6"}, "title": before.title})
    assert answer.status_code == 200 and answer.json()["changed"] is False
    sign_in(client, LEAD)
    page = client.post(f"/tenders/{ref}/edit", data={  # the form saved as it was shown
        "based_on": before.edit_token, "title": before.title, "description": before.description,
        "deadline": f"{before.deadline:%Y-%m-%dT%H:%M}", "deadline_shown": f"{before.deadline:%Y-%m-%dT%H:%M}",
        **{k: "" if v is None else str(v) for k, v in before.rules.as_dict().items()}}, follow_redirects=True)
    assert "Nothing was changed: the form held what the tender already says." in page.text
    after = _view(world, ref)
    assert (after.version, after.deadline, after.bid_count) == (before.version, before.deadline, 1)
    assert "tender.edited" not in _events(world, ref)


def test_an_edit_on_a_stale_form_does_not_overwrite_a_colleagues(world: World, client: TestClient) -> None:
    ref = world.tender()
    shown = _view(world, ref)
    later = shown.deadline + timedelta(days=5)  # type: ignore[operator]
    moved = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                         json={"deadline": later.isoformat(), "based_on": shown.edit_token})
    assert moved.status_code == 200 and moved.json()["changed"] is True
    stale = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                         json={"rules": {"min_sme_share": "0.5"}, "based_on": shown.edit_token})
    assert stale.status_code == 409
    assert "was changed by someone else after you opened it: nothing was saved" in stale.json()["error"]
    sign_in(client, LEAD)
    page = client.post(f"/tenders/{ref}/edit", data={
        "based_on": shown.edit_token, "title": "Home care 2026 (revised)", "deadline": "", "deadline_shown": ""},
        follow_redirects=True)
    assert "was changed by someone else after you opened it" in page.text
    assert '<details open><summary>Change the tender' in page.text  # the form is open again, as it was typed
    assert 'name="title" value="Home care 2026 (revised)" required>' in page.text
    now = _view(world, ref)
    assert now.deadline == later and now.title == shown.title and now.rules.min_sme_share == shown.rules.min_sme_share


def test_a_tender_stored_with_rules_in_an_older_spelling_can_still_be_edited(world: World, client: TestClient) -> None:
    import json

    from sqlalchemy import select

    from carepool.procurement.tables import TenderRow

    ref = world.tender()
    with world.db.uow() as uow:  # as an older version stored them: fewer keys, other spellings
        uow.session.execute(select(TenderRow).where(TenderRow.ref == ref)).scalar_one().rules_json = json.dumps(
            {"max_share": "0.6", "min_sme_share": "0.25"})
        uow.commit()
    shown = _view(world, ref)
    edited = client.patch(f"/api/procurement/tenders/{ref}", headers=bearer(world, LEAD),
                          json={"title": "Home care (renamed)", "based_on": shown.edit_token})
    assert edited.status_code == 200 and edited.json()["changed"] is True
