"""OCDS output validates with libcoveocds (the official validator) with no errors, offline."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from carepool.procurement import evaluation, lifecycle_cli, tendering
from carepool.procurement import service as procurement
from tests.integration.procurement.conftest import HF, RULES, World
from tests.integration.procurement.ocds_validation import validate

LEAD = "proc@hf.test"


def _to_contracts(world: World) -> str:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="700")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78, capacity="700")
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "23.40", 72)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.20", 70)
    world.bid("bids@c.test", ref, "HC-HF-NORTH", "22.80", 70)  # no bid on Ealing: that lot is unsuccessful
    lead = world.caller(LEAD)
    world.clock.advance(days=15)
    world.award(ref)
    world.clock.advance(days=11)
    with world.db.uow() as uow:
        evaluation.make_contracts(uow=uow, caller=lead, ref=ref)
    return ref


def _clean(report: dict[str, object]) -> None:
    assert report["validation_errors"] == [], json.dumps(report["validation_errors"], indent=1)[:2000]
    assert report.get("additional_fields", []) == []
    assert report.get("additional_closed_codelist_values", {}) == {}
    assert report["extensions"]["invalid_extension"] == {}  # type: ignore[index]
    assert report["extensions"]["is_extended_schema"] is True  # type: ignore[index]


def test_release_and_record_packages_validate(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _to_contracts(world)
    monkeypatch.setenv("CAREPOOL_DATABASE_URL", world.db.url)
    app = typer.Typer()
    lifecycle_cli.register(app)
    out = tmp_path / "ocds" / f"{ref}.json"
    result = CliRunner().invoke(app, ["ocds", ref, "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = out.with_name(f"{ref}-record.json")
    release = json.loads(out.read_text())
    releases = release["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["award"], ["contract"]]
    assert {lot["id"]: lot["status"] for lot in releases[-1]["tender"]["lots"]} == {
        "HC-BRENT-KIL": "complete", "HC-EALING-ACT": "unsuccessful", "HC-HF-NORTH": "complete"}
    assert all(a["relatedLots"] for a in releases[-1]["awards"]) and releases[-1]["contracts"]
    awards = releases[-1]["awards"]  # named by lot and supplier, never by a row number
    assert [a["id"] for a in awards] == [f"{ref}-award-{a['relatedLots'][0]}-{a['suppliers'][0]['id']}" for a in awards]
    assert {c["awardID"] for c in releases[-1]["contracts"]} <= {a["id"] for a in awards}
    assert '"amount": 1' in out.read_text() or '"amount": 2' in out.read_text()  # exact numbers, not text
    for path in (out, record):
        _clean(validate(path, tmp_path / path.stem))

    broken = tmp_path / "broken.json"
    release["releases"][0]["tender"]["lots"][0]["value"]["amount"] = "lots"
    broken.write_text(json.dumps(release))
    assert validate(broken, tmp_path / "broken")["validation_errors"]  # the validator is really looking


def test_a_published_tender_shows_no_bids(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "21.37", 80)
    monkeypatch.setenv("CAREPOOL_DATABASE_URL", world.db.url)
    app = typer.Typer()
    lifecycle_cli.register(app)
    out = tmp_path / "open.json"
    assert CliRunner().invoke(app, ["ocds", ref, "--out", str(out)]).exit_code == 0
    text = out.read_text()
    assert "21.37" not in text and "awards" not in text and "numberOfTenderers" not in text
    _clean(validate(out, tmp_path / "v"))
    world.clock.advance(days=1)
    with world.db.uow() as uow:  # its lots go into a new draft, which is never published
        tendering.cancel(uow=uow, caller=world.caller("proc@hf.test"), ref=ref, reason="re-scoped")
    draft = world.tender(publish=False)
    failed = CliRunner().invoke(app, ["ocds", draft, "--out", str(tmp_path / "draft.json")])
    assert failed.exit_code != 0 and not (tmp_path / "draft.json").exists()


def test_buyers_are_the_members_whose_demand_is_tendered(world: World, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=lead,
                                                                 consortium_id=world.consortium_id)}
    with world.db.uow() as uow:
        alone = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="H&F only",
                                        lot_ids=[plan["HC-HF-NORTH"]], rules=RULES,
                                        deadline=world.clock.now + timedelta(days=14)).ref
    with world.db.uow() as uow:
        tendering.publish(uow=uow, caller=lead, ref=alone)
    monkeypatch.setenv("CAREPOOL_DATABASE_URL", world.db.url)
    app = typer.Typer()
    lifecycle_cli.register(app)
    assert CliRunner().invoke(app, ["ocds", alone, "--out", str(tmp_path / "alone.json")]).exit_code == 0
    parties = json.loads((tmp_path / "alone.json").read_text())["releases"][-1]["parties"]
    assert [(p["id"], p["roles"]) for p in parties] == [(HF, ["buyer", "procuringEntity"])]  # not Brent or Ealing
    _clean(validate(tmp_path / "alone.json", tmp_path / "v"))
