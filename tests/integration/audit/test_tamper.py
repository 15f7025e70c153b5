import pytest
from sqlalchemy import update

from carepool.audit import service as audit
from carepool.audit.tables import AuditEventRow
from carepool.cli import main
from carepool.db.engine import Database
from carepool.partners.model import OrgKind
from tests.integration.helpers import add_organisations, add_user


def _some_history(database: Database) -> None:
    add_organisations(database, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY),
                      ("QRV", "NHS NWL ICB", OrgKind.NHS_COMMISSIONER))
    add_user(database, "a@brent.test", "E09000005", "admin")


def test_every_change_is_audited_and_the_chain_verifies(
    cli_env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _some_history(cli_env)
    with cli_env.uow() as uow:
        events = audit.list_events(uow=uow, organisation=None)
    assert [e.action for e in reversed(events)] == ["organisation.saved", "organisation.saved", "user.created"]
    assert events[-1].after == {"code": "E09000005", "kind": "local_authority", "name": "Brent", "sme": False}
    assert main(["audit", "verify"]) == 0
    assert "OK: 3 audit events" in capsys.readouterr().out


def test_changing_a_stored_event_is_reported_at_that_event(
    cli_env: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _some_history(cli_env)
    with cli_env.uow() as uow:
        uow.session.execute(
            update(AuditEventRow).where(AuditEventRow.seq == 2).values(after_json='{"name":"Forged"}')
        )
        uow.commit()
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at event 2 (organisation.saved)" in out


def test_deleting_the_newest_event_is_reported(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    _some_history(cli_env)
    with cli_env.uow() as uow:
        uow.session.execute(AuditEventRow.__table__.delete().where(AuditEventRow.seq == 3))
        uow.commit()
    assert main(["audit", "verify"]) == 1
    assert "removed" in capsys.readouterr().out
