"""Open contracting data carry the publisher's own ocid prefix and web address, once the operator sets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carepool.cli import main
from carepool.config import Settings
from carepool.web.app import create_app
from tests.integration.procurement.conftest import World
from tests.integration.procurement.ocds_validation import validate

PREFIX, ADDRESS = "ocds-a1b2c3", "https://data.example.gov.uk/ocds"


def test_the_cli_and_the_open_data_pages_publish_under_the_operators_prefix_and_address(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = world.tender()
    monkeypatch.setenv("CAREPOOL_DATABASE_URL", world.db.url)
    monkeypatch.setenv("CAREPOOL_OCID_PREFIX", PREFIX)
    monkeypatch.setenv("CAREPOOL_OCDS_BASE_URI", ADDRESS + "/")
    out = tmp_path / f"{ref}.json"
    assert main(["tender", "ocds", ref, "--out", str(out)]) == 0
    package = json.loads(out.read_text())
    assert package["uri"] == f"{ADDRESS}/{ref}.json" and package["releases"][0]["ocid"] == f"{PREFIX}-{ref}"
    assert validate(out, tmp_path / "v")["validation_errors"] == []
    settings = Settings(database_url=world.db.url, ocid_prefix=PREFIX, ocds_base_uri=ADDRESS)
    with TestClient(create_app(settings, database=world.db)) as client:
        served = client.get(f"/open-data/tenders/{ref}-record.json").json()
    assert served["uri"] == f"{ADDRESS}/{ref}-record.json" and served["records"][0]["ocid"] == f"{PREFIX}-{ref}"


def test_a_prefix_that_is_not_one_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CAREPOOL_OCID_PREFIX", "OCDS-XYZ")
    assert main(["tender", "ocds", "CP-2026-001", "--out", "unused.json"]) == 2
    error = capsys.readouterr().err
    assert "CAREPOOL_OCID_PREFIX: expected the prefix the Open Contracting Partnership registered for you" in error
    assert "Traceback" not in error and not Path("unused.json").exists()
