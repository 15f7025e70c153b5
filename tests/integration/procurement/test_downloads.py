"""Downloads leave nothing behind on the server's disk."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.integration.procurement.conftest import World, bearer


def test_the_demand_workbook_download_leaves_no_file_behind(world: World, client: TestClient, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    for _ in range(2):
        answer = client.get(f"/api/procurement/consortia/{world.consortium_id}/demand.xlsx",
                            headers=bearer(world, "proc@hf.test"))
        assert answer.status_code == 200 and 'filename="demand.xlsx"' in answer.headers["content-disposition"]
        assert "Demand" in load_workbook(io.BytesIO(answer.content)).sheetnames
    assert list(scratch.iterdir()) == []
