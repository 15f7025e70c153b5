"""A provider with users of its own keeps its own name and SME flag: a commissioning partner's admin cannot change
them by import (the API, the page, or the CLI acting as that admin); rows that repeat them pass, and a provider
nobody has an account for yet stays open to the consortium's admins."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.audit.model import AuditEvent
from carepool.cli import main
from carepool.db.engine import Database
from carepool.partners import service
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.web.app import create_app
from tests.integration.helpers import add_user, counts, sign_in, token_for

HEADER = "code,name,kind,sme\n"
CROWN, KINDLY = "1-101000003", "1-101234567"
WHY = ("Crown Care plc (1-101000003) manages its own record: its name and SME flag can be changed only by its own "
       "administrator")


@pytest.fixture
def consortium(cli_env: Database) -> Database:
    """Harrow and Brent (councils, each with an admin); Crown Care plc, a provider with its own admin, not an SME;
    Kindly Care Ltd, an SME provider Harrow listed before anyone there had an account."""
    batch = PartnerBatch(organisations=[Located(org) for org in (
        Organisation("E09000015", "London Borough of Harrow", OrgKind.LOCAL_AUTHORITY),
        Organisation("E09000005", "London Borough of Brent", OrgKind.LOCAL_AUTHORITY),
        Organisation(CROWN, "Crown Care plc", OrgKind.PROVIDER, sme=False),
        Organisation(KINDLY, "Kindly Care Ltd", OrgKind.PROVIDER, sme=True))])
    with cli_env.uow() as uow:
        service.import_batch(uow=uow, actor="test", batch=batch)
    add_user(cli_env, "admin@harrow.test", "E09000015", "admin")
    add_user(cli_env, "admin@crown.test", CROWN, "provider", "admin")
    return cli_env


@pytest.fixture
def client(consortium: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database=consortium)) as test_client:
        yield test_client


def _upload(name: str, rows: str) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, (HEADER + rows).encode(), "text/csv")}


def _bearer(database: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(database, email)}"}


def _harrow_imports(client: TestClient, database: Database, rows: str, name: str = "orgs.csv") -> Any:
    return client.post("/api/partners/import", files=_upload(name, rows),
                       headers=_bearer(database, "admin@harrow.test"))


def _org(database: Database, code: str) -> Organisation:
    with database.uow() as uow:
        return service.get_organisation(uow=uow, code=code)


def _saved(database: Database, code: str) -> list[AuditEvent]:
    with database.uow() as uow:
        return audit.list_events(uow=uow, organisation=code, action="organisation.saved")


ELSEWHERE = "E09000009,London Borough of Ealing,local_authority,no\n"  # a good row: the file is refused as a whole


@pytest.mark.parametrize(("row", "column", "change"), [
    (f"{CROWN},Crown Care plc,provider,yes\n", "sme", "its SME flag from no to yes"),
    (f"{CROWN},Crown Care (in administration),provider,\n", "name", "its name to 'Crown Care (in administration)'"),
])
def test_an_outsiders_import_cannot_change_a_provider_that_speaks_for_itself(
    consortium: Database, client: TestClient, row: str, column: str, change: str,
) -> None:
    answer = _harrow_imports(client, consortium, ELSEWHERE + row, "crown.csv")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "crown.csv: 1 problem; nothing was imported"
    [said] = answer.json()["problems"]
    assert said.startswith(f"crown.csv, row 3, column {column}: {WHY}")
    assert said.endswith(f"; this row would change {change}")
    assert _org(consortium, CROWN) == Organisation(CROWN, "Crown Care plc", OrgKind.PROVIDER, sme=False)
    assert counts(consortium) == (4, 0) and not _saved(consortium, "E09000009")


def test_the_import_page_refuses_it_with_the_same_message(consortium: Database, client: TestClient) -> None:
    sign_in(client, "admin@harrow.test")
    page = client.post("/partners/import", files=_upload("crown.csv", f"{CROWN},Crown Care plc,provider,yes\n"))
    assert page.status_code == 422
    assert f"crown.csv, row 2, column sme: {WHY}" in page.text.replace("&#39;", "'")
    assert not _org(consortium, CROWN).sme


def test_the_cli_acting_as_an_outsider_is_refused_without_a_traceback(
    consortium: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "crown.csv").write_text(HEADER + ELSEWHERE + f"{CROWN},Crown Care plc,provider,yes\n")
    capsys.readouterr()
    code = main(["orgs", "import", str(tmp_path / "crown.csv"), "--as", "admin@harrow.test"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "crown.csv: 1 problem; nothing was imported" in err
    assert f"crown.csv, row 3, column sme: {WHY}" in err
    assert not _org(consortium, CROWN).sme and counts(consortium) == (4, 0)
    # the operator, who holds the database, may still correct anything
    assert main(["orgs", "import", str(tmp_path / "crown.csv")]) == 0
    assert _org(consortium, CROWN).sme


def test_rows_that_repeat_a_self_managed_providers_record_pass(consortium: Database, client: TestClient) -> None:
    before = len(_saved(consortium, CROWN))
    rows = f"{CROWN},Crown Care plc,provider,no\n1-101000004,New Care Ltd,provider,yes\n"
    answer = _harrow_imports(client, consortium, rows)
    assert answer.status_code == 200, answer.text
    blank = _harrow_imports(client, consortium, f"{CROWN},Crown Care plc,provider,\n")  # sme as on record
    assert blank.status_code == 200, blank.text
    assert not _org(consortium, CROWN).sme and len(_saved(consortium, CROWN)) == before  # nothing written
    assert _org(consortium, "1-101000004").sme  # adding a provider stays open to the consortium's admins


def test_a_provider_without_users_is_still_corrected_by_a_councils_admin(
    consortium: Database, client: TestClient,
) -> None:
    answer = _harrow_imports(client, consortium, f"{KINDLY},Kindly Care Limited,provider,no\n")
    assert answer.status_code == 200, answer.text
    assert _org(consortium, KINDLY) == Organisation(KINDLY, "Kindly Care Limited", OrgKind.PROVIDER, sme=False)
    [event, *_] = _saved(consortium, KINDLY)  # kept under the provider, for its people to see once they sign in
    assert event.actor == "user:admin@harrow.test" and event.organisation == KINDLY
    assert (event.before["sme"], event.after["sme"]) == (True, False)
    assert event.after["name"] == "Kindly Care Limited"
    add_user(consortium, "admin@kindly.test", KINDLY, "provider", "admin")
    trail = client.get("/api/audit/events", params={"entity_type": "organisation", "entity_id": KINDLY},
                       headers=_bearer(consortium, "admin@kindly.test")).json()
    assert (trail[0]["action"], trail[0]["actor"]) == ("organisation.saved", "user:admin@harrow.test")
    # now it has a user of its own, the same correction back is its own admin's to make
    again = _harrow_imports(client, consortium, f"{KINDLY},Kindly Care Ltd,provider,yes\n")
    assert again.status_code == 422 and "Kindly Care Limited (1-101234567) manages its own record" in again.text

