"""One record's history: the audit trail filtered by kind of record, record and action, the same through
the service, the CLI, the API and the page, and never beyond the caller's organisation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.cli import main
from carepool.db.engine import Database
from carepool.partners.model import OrgKind
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user, sign_in, token_for

BRENT, EALING = "E09000005", "E09000009"


def _history(database: Database) -> None:
    add_organisations(database, (BRENT, "Brent", OrgKind.LOCAL_AUTHORITY), (EALING, "Ealing", OrgKind.LOCAL_AUTHORITY))
    add_user(database, "admin@brent.test", BRENT, "admin")
    with database.uow() as uow:
        for org, action, kind, ref in [(BRENT, "tender.created", "tender", "CP-2026-001"),
                                       (BRENT, "tender.published", "tender", "CP-2026-001"),
                                       (BRENT, "tender.created", "tender", "CP-2026-002"),
                                       (BRENT, "lots.built", "consortium", "1"),
                                       (EALING, "tender.created", "tender", "CP-2026-001_")]:
            audit.record(uow=uow, actor="user:test", organisation=org, action=action, entity_type=kind,
                         entity_id=ref)
        uow.commit()


def _actions(events: list[audit.AuditEvent]) -> list[tuple[str, str]]:
    return [(e.action, e.entity_id) for e in events]


def test_filters_in_the_service_and_the_cli(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _history(cli_env)
    with cli_env.uow() as uow:
        one = audit.list_events(uow=uow, organisation=BRENT, entity_type="tender", entity_id="CP-2026-001")
        family = audit.list_events(uow=uow, organisation=BRENT, action="tender.")
        exact = audit.list_events(uow=uow, organisation=None, action="tender.created")
        kind = audit.list_events(uow=uow, organisation=BRENT, entity_type="consortium")
        like = audit.list_events(uow=uow, organisation=None, action="tender_")  # no wildcard: nothing
    assert _actions(one) == [("tender.published", "CP-2026-001"), ("tender.created", "CP-2026-001")]
    assert _actions(family) == [("tender.created", "CP-2026-002"), *_actions(one)]
    assert [e.organisation for e in exact] == [EALING, BRENT, BRENT]
    assert _actions(kind) == [("lots.built", "1")] and like == []

    assert main(["audit", "list", "--entity-type", "tender", "--entity-id", "CP-2026-002"]) == 0
    out = capsys.readouterr().out
    assert "CP-2026-002" in out and "CP-2026-001" not in out


def test_filters_on_the_api_and_the_page_stay_in_the_organisation(database: Database) -> None:
    _history(database)
    with TestClient(create_app(database=database)) as client:
        bearer = {"Authorization": f"Bearer {token_for(database, 'admin@brent.test')}"}
        events = client.get("/api/audit/events", params={"entity_type": "tender", "entity_id": "CP-2026-001"},
                            headers=bearer).json()
        assert [(e["action"], e["organisation"]) for e in events] == [("tender.published", BRENT),
                                                                       ("tender.created", BRENT)]
        family = client.get("/api/audit/events", params={"action": "tender."}, headers=bearer).json()
        assert {e["organisation"] for e in family} == {BRENT} and len(family) == 3

        sign_in(client, "admin@brent.test")
        page = client.get("/audit", params={"entity_type": "tender", "entity_id": "CP-2026-002"})
        assert page.status_code == 200 and "tender.created" in page.text and "tender.published" not in page.text
        assert 'href="/audit?entity_type=tender&amp;entity_id=CP-2026-002"' in page.text  # each row links its history
        assert "No events match." in client.get("/audit", params={"action": "pool."}).text
