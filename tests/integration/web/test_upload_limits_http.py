"""Through the app: a request body over the limit is refused while it arrives (413), a file over the per-file limit
(413) or a zip bomb (422) is refused by name with nothing imported, and a workbook claiming every cell of Excel
imports what it really holds."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carepool.db.engine import Database
from carepool.partners import io as partner_io
from carepool.partners.model import Organisation, OrgKind
from carepool.web import uploads
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user, counts, sign_in, token_for

ADMIN = "admin@brent.test"


@pytest.fixture
def client(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 2**20)  # small limits keep the test quick
    monkeypatch.setattr(uploads, "MAX_REQUEST_BYTES", 2 * 2**20)  # read when the app is built
    add_organisations(database, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(database, ADMIN, "E09000005", "admin")
    with TestClient(create_app(database=database)) as test_client:
        yield test_client


def _bearer(database: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(database, ADMIN)}"}


def _partners_workbook(tmp_path: Path, *, claim: str | None = None) -> bytes:
    path = tmp_path / "partners.xlsx"
    ealing = Organisation("E09000009", "Ealing", OrgKind.LOCAL_AUTHORITY)
    partner_io.write_partner_file(path, {"organisations": [ealing]})
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for name in parts:
        if name.startswith("xl/worksheets/sheet") and claim:
            parts[name] = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{claim}"/>'.encode(), parts[name])
        if name.startswith("xl/worksheets/sheet") and claim is None:  # a bomb: 20 MB of nothing after the sheet
            parts[name] += b" " * (20 * 2**20)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, data in parts.items():
            packed.writestr(name, data)
    return out.getvalue()


def test_a_request_body_over_the_limit_is_refused_while_it_arrives(client: TestClient, database: Database) -> None:
    big = {"file": ("partners.csv", b"x" * (3 * 2**20))}
    refused = client.post("/api/partners/import", headers=_bearer(database), files=big)
    assert refused.status_code == 413
    sign_in(client, ADMIN)
    page = client.post("/partners/import", files=big)  # a declared length over the limit: answered unread
    assert page.status_code == 413 and page.text == "Content Too Large"
    assert counts(database) == (1, 0)


def test_a_file_over_the_upload_limit_is_refused_by_name(client: TestClient, database: Database) -> None:
    refused = client.post("/api/partners/import", headers=_bearer(database),
                          files={"file": ("partners.csv", b"x" * (2**20 + 1))})
    assert refused.status_code == 413
    assert refused.json()["error"] == ("partners.csv: the file is larger than 1 MB, the most carepool takes in one "
                                       "upload; split it into smaller files")
    sign_in(client, ADMIN)
    page = client.post("/partners/import", files={"file": ("partners.csv", b"x" * (2**20 + 1))})
    assert page.status_code == 413 and "partners.csv: the file is larger than 1 MB" in page.text
    assert counts(database) == (1, 0)


def test_a_zip_bomb_is_refused_before_anything_reads_it(client: TestClient, database: Database,
                                                        tmp_path: Path) -> None:
    bomb = _partners_workbook(tmp_path)
    assert len(bomb) < 100_000
    refused = client.post("/api/partners/import", headers=_bearer(database), files={"file": ("partners.xlsx", bomb)})
    assert refused.status_code == 422
    assert refused.json()["error"].startswith("partners.xlsx: part xl/worksheets/sheet1.xml of the workbook unpacks")
    assert refused.json()["error"].endswith("refused as a zip bomb")
    assert counts(database) == (1, 0)


def test_a_workbook_claiming_every_cell_of_excel_imports_what_it_holds(client: TestClient, database: Database,
                                                                      tmp_path: Path) -> None:
    claiming = _partners_workbook(tmp_path, claim="A1:XFD1048576")
    imported = client.post("/api/partners/import", headers=_bearer(database),
                           files={"file": ("partners.xlsx", claiming)})
    assert imported.status_code == 200, imported.text
    assert counts(database) == (2, 0)
