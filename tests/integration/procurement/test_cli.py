"""`carepool tender publish|edit|cancel|open|evaluate|confirm|contracts REF --as EMAIL` on SQLite and
PostgreSQL: the same scoping, sealed-bid rules and audit trail as the web, on the test's fixed clock."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from carepool.audit import service as audit
from carepool.procurement import bidding, reports
from carepool.procurement.model import BidStatus, TenderStatus
from tests.integration.procurement.conftest import HF, RULES, World, run, usual_bids

LEAD = "proc@hf.test"
SECRETS = ("21.37", "81.13", "20.93")  # sealed prices and scores that must not be printed before opening




def test_the_tender_lifecycle_at_the_command_line(cli: World, capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    world = cli
    ref = world.tender(publish=False)
    code, _, err = run(capsys, "publish", ref, "--as", "nobody@nowhere.test")
    assert (code, err) == (4, "error: user nobody@nowhere.test not found")
    code, _, err = run(capsys, "publish", ref, "--as", "comm@brent.test")  # a member, not procurement
    assert code == 5 and "procurement role" in err
    code, _, err = run(capsys, "publish", ref, "--as", "proc@harrow.test")  # procurement, not a member
    assert code == 4 and f"tender {ref} not found" in err
    code, out, _ = run(capsys, "publish", ref, "--as", LEAD)
    assert code == 0 and f"published {ref} is published (version 1)" in out
    assert f"deadline {world.clock.now + timedelta(days=14):%Y-%m-%d %H:%M} UTC" in out

    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "21.37", 81, capacity="700")
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "20.93", 70)
    code, out, err = run(capsys, "open", ref, "--as", LEAD)
    assert code == 6 and "stay sealed until the deadline" in err
    assert not any(secret in out + err for secret in SECRETS)

    # Ten days in (four to go), the consortium takes Hammersmith North out and changes the rules:
    # every bid is invalidated and the deadline moves to seven days from now.
    world.clock.advance(days=10)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({**RULES, "min_award_fraction": "0.1"}), encoding="utf-8")
    code, out, _ = run(capsys, "edit", ref, "--as", LEAD, "--remove-lot", "hc-hf-north", "--rules", str(rules))
    new_deadline = world.clock.now + timedelta(days=7)
    assert code == 0 and "version 2" in out and "2 lots (HC-BRENT-KIL, HC-EALING-ACT)" in out
    assert f"deadline {new_deadline:%Y-%m-%d %H:%M} UTC" in out and "2 submitted bids invalidated" in out
    with world.db.uow() as uow:
        mine = bidding.my_bids(uow=uow, caller=world.caller("bids@a.test"), ref=ref)
    assert [b.status for b in mine] == [BidStatus.INVALIDATED] and "please bid again" in (mine[0].status_note or "")
    code, out, _ = run(capsys, "edit", ref, "--as", LEAD, "--add-lot", "HC-HF-NORTH")  # back from the plan
    assert code == 0 and "version 3" in out and "3 lots" in out
    usual_bids(world, ref)

    world.clock.now = new_deadline + timedelta(minutes=1)
    code, out, _ = run(capsys, "open", ref, "--as", LEAD)
    assert code == 0 and f"opened 6 bids of {ref}; 0 failed their hash check" in out
    code, out, _ = run(capsys, "evaluate", ref, "--as", LEAD, "--time-limit", "10")
    assert code == 0
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=world.caller(LEAD), ref=ref)
    assert summary is not None and summary.tender.status is TenderStatus.EVALUATED
    for label in ("yearly cost", "today", "saving", "SME share of value", "concentration (HHI)",
                  "providers winning", "awards", "Crown Care plc (1-101000003)"):
        assert label in out, label
    for figure in (summary.awarded.total, summary.baseline, summary.saving, f"{summary.awarded.hhi:,}",
                   f"{summary.awarded.sme_share * 100:.1f}%", f"awards │ {len(summary.awards)} │"):
        assert str(figure) in out, figure

    code, out, _ = run(capsys, "confirm", ref, "--as", LEAD)
    assert code == 0 and f"standstill until {world.clock.now + timedelta(days=10):%Y-%m-%d %H:%M} UTC" in out
    code, _, err = run(capsys, "contracts", ref, "--as", LEAD)
    assert code == 6 and "standstill period until" in err
    world.clock.advance(days=10)
    code, out, _ = run(capsys, "contracts", ref, "--as", LEAD)
    assert code == 0 and out == f"made {len(summary.awards)} contracts for {ref}"

    with world.db.uow() as uow:
        events = [e for e in audit.list_events(uow=uow, organisation=HF) if e.entity_id == ref]
        _, broken = audit.verify(uow=uow)
    assert broken is None
    assert [e.action for e in reversed(events)] == [
        "tender.created", "tender.published", "tender.edited", "tender.edited", "tender.opened", "tender.evaluated",
        "award.confirmed", "contracts.made"]
    assert {e.actor for e in events} == {f"user:{LEAD}"}


def test_refusals_at_the_command_line(cli: World, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    world = cli
    ref = world.tender()
    code, _, err = run(capsys, "edit", ref, "--as", LEAD)
    assert code == 2 and "nothing to change" in err
    code, _, err = run(capsys, "edit", ref, "--as", LEAD, "--deadline", "next friday")
    assert code == 2 and "not an ISO 8601 date and time" in err
    code, _, err = run(capsys, "edit", ref, "--as", LEAD, "--rules", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json: no such file" in err
    (tmp_path / "list.json").write_text('["max_share"]', encoding="utf-8")
    code, _, err = run(capsys, "edit", ref, "--as", LEAD, "--rules", str(tmp_path / "list.json"))
    assert code == 2 and "list.json: expected a JSON object of award rules" in err
    code, _, err = run(capsys, "edit", ref, "--as", LEAD, "--remove-lot", "HC-NOWHERE")
    assert code == 4 and f"lot HC-NOWHERE in tender {ref} not found" in err
    code, _, err = run(capsys, "edit", ref, "--as", LEAD, "--remove-lot", "HC-BRENT-KIL", "--remove-lot",
                       "HC-EALING-ACT", "--remove-lot", "HC-HF-NORTH")
    assert code == 2 and "must keep at least one lot" in err
    code, _, err = run(capsys, "cancel", ref, "--as", "viewer@brent.test", "--reason", "no longer needed")
    assert code == 5
    code, _, err = run(capsys, "evaluate", ref, "--as", "bids@a.test")  # a provider: not a member
    assert code == 4
    code, out, _ = run(capsys, "cancel", ref, "--as", LEAD, "--reason", "demand changed")
    assert code == 0 and out == f"cancelled {ref}: demand changed"
    code, _, err = run(capsys, "open", ref, "--as", LEAD)
    assert code == 6 and "it is cancelled" in err
    with world.db.uow() as uow:
        event = audit.list_events(uow=uow, organisation=HF, limit=1)[0]
    assert (event.action, event.actor, event.after["reason"]) == ("tender.cancelled", f"user:{LEAD}",
                                                                  "demand changed")
