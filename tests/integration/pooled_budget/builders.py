"""A small Brent and NHS North West London ICB pool, its users and ledger exports: tests read like the domain.

Reablement: Brent £480,000, ICB £720,000, overspend split 40/60 (fixed shares). Community equipment:
£60,000 each, shared in proportion. Contingency £12,000 (£6,000 each).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

from carepool.core.money import Money
from carepool.db.engine import Database
from carepool.ledger import service as ledger
from carepool.partners import access
from carepool.partners.model import Caller, OrgKind
from carepool.pooled_budget import agreeing
from carepool.pooled_budget.definition import definition_from_json
from carepool.pooled_budget.service import StoredAgreement, Who
from tests.integration.helpers import PASSWORD, add_organisations, add_user, sign_in, token_for

BRENT, ICB, EALING = "E09000005", "QRV", "E09000009"
PRIYA, MARCUS, HUGHES, EALING_FINANCE = ("priya@brent.test", "marcus@icb.test", "cllr.hughes@brent.test",
                                         "finance@ealing.test")
COLUMNS = ["scheme_id", "month", "source", "actual", "commitments"]
MONTHS = [f"{2025 + (n > 9)}-{(n + 2) % 12 + 1:02d}" for n in range(1, 13)]  # 2025-04 .. 2026-03


def partners_and_users(database: Database) -> None:
    add_organisations(database, (BRENT, "London Borough of Brent", OrgKind.LOCAL_AUTHORITY),
                      (ICB, "NHS North West London ICB", OrgKind.NHS_COMMISSIONER),
                      (EALING, "London Borough of Ealing", OrgKind.LOCAL_AUTHORITY))
    add_user(database, PRIYA, BRENT, "commissioner", "finance")
    add_user(database, MARCUS, ICB, "finance")
    add_user(database, HUGHES, BRENT, "viewer")
    add_user(database, EALING_FINANCE, EALING, "finance", "commissioner")


def auth(database: Database, email: str) -> dict[str, str]:
    """The bearer header of ``email``'s API token."""
    return {"Authorization": f"Bearer {token_for(database, email)}"}


def caller(database: Database, email: str) -> Caller:
    with database.uow() as uow:
        return access.authenticate(uow=uow, email=email, password=PASSWORD)


def agreement_json(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agreement": "Brent BCF pool", "year": "2025/26", "host": BRENT,
        "partners": [{"code": BRENT, "name": "London Borough of Brent"},
                     {"code": ICB, "name": "NHS North West London ICB"}],
        "contingency": {"amount": "12000.00", "funded": {BRENT: "6000.00", ICB: "6000.00"}},
        "schemes": [
            {"id": "REAB", "name": "Reablement", "client_group": "Older people",
             "contributions": {BRENT: "480000.00", ICB: "720000.00"},
             "overspend": {"rule": "fixed", "shares": {BRENT: "0.4", ICB: "0.6"}}},
            {"id": "ICES", "name": "Community equipment", "client_group": "Physical disability",
             "contributions": {BRENT: "60000.00", ICB: "60000.00"}},
        ],
    }
    data.update(changes)
    return data


def ledger_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A ledger export as a workbook: one sheet per entry, the header row first."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def ledger_csv(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def balance(database: Database, code: str) -> Money:
    with database.uow() as uow:
        return ledger.balance(uow=uow, code=code)


def m(text: str) -> Money:
    return Money.parse(text)


ACCEPTS_FOR = {BRENT: PRIYA, ICB: MARCUS}  # who accepts a proposed agreement for each partner in these tests


def agreed(database: Database, by: Who | None = None, data: dict[str, Any] | None = None) -> StoredAgreement:
    """An agreement proposed by ``by`` (Priya unless given) and accepted by every other partner: active."""
    proposer = by if by is not None else caller(database, PRIYA)
    with database.uow() as uow:
        stored = agreeing.create(uow=uow, by=proposer, definition=definition_from_json(data or agreement_json())).stored
    for code in stored.waiting_for:
        with database.uow() as uow:
            stored = agreeing.decide(uow=uow, by=caller(database, ACCEPTS_FOR[code]), agreement_id=stored.id,
                                     decision="accept")
    assert stored.status == "active", stored.status
    return stored


def propose(client: TestClient, database: Database, email: str = PRIYA, **changes: Any) -> Any:
    """Propose ``agreement_json(**changes)`` through the API as ``email``; the response."""
    return client.post("/api/pool/agreements", content=json.dumps(agreement_json(**changes)).encode(),
                       headers=auth(database, email))


def new_pool(client: TestClient, database: Database, agreement: dict[str, Any] | None = None) -> int:
    """An agreement (``agreement_json()`` unless given) proposed through the API by Priya and accepted by Marcus
    for the ICB (so active), with Priya then signed in on ``client``; its id."""
    response = (propose(client, database) if agreement is None else
                client.post("/api/pool/agreements", content=json.dumps(agreement).encode(),
                            headers=auth(database, PRIYA)))
    assert response.status_code == 201, response.text
    pool = int(response.json()["id"])
    accepted = client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, MARCUS))
    assert accepted.status_code == 200 and accepted.json()["status"] == "active", accepted.text
    sign_in(client, PRIYA)
    return pool
