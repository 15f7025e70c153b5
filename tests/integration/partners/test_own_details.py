"""An organisation's own admin changes its name and, for a provider, its SME flag (the API and its own page); the
change is in its audit trail, and nobody else's admin can make it this way."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.db.engine import Database
from carepool.partners import service
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.web.app import create_app
from tests.integration.helpers import add_user, csrf_token, sign_in, token_for

CROWN = "1-101000003"


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    batch = PartnerBatch(organisations=[Located(org) for org in (
        Organisation("E09000015", "London Borough of Harrow", OrgKind.LOCAL_AUTHORITY),
        Organisation(CROWN, "Crown Care plc", OrgKind.PROVIDER, sme=False))])
    with database.uow() as uow:
        service.import_batch(uow=uow, actor="test", batch=batch)
    add_user(database, "admin@harrow.test", "E09000015", "admin")
    add_user(database, "admin@crown.test", CROWN, "provider", "admin")
    add_user(database, "bids@crown.test", CROWN, "provider")
    with TestClient(create_app(database=database)) as test_client:
        yield test_client


def _bearer(database: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(database, email)}"}


def _org(database: Database, code: str) -> Organisation:
    with database.uow() as uow:
        return service.get_organisation(uow=uow, code=code)


def test_a_providers_own_admin_changes_its_sme_flag(client: TestClient, database: Database) -> None:
    crown = _bearer(database, "admin@crown.test")
    answer = client.patch(f"/api/partners/organisations/{CROWN}", json={"sme": True}, headers=crown)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"code": CROWN, "name": "Crown Care plc", "kind": "provider", "sme": True}
    assert _org(database, CROWN).sme
    trail = client.get("/api/audit/events", params={"action": "organisation.saved", "entity_id": CROWN},
                       headers=crown).json()
    newest = trail[0]  # after the event of its listing
    assert (newest["actor"], newest["before"]["sme"], newest["after"]["sme"]) == ("user:admin@crown.test", False, True)
    same = client.patch(f"/api/partners/organisations/{CROWN}", json={"sme": True, "name": "Crown Care plc"},
                        headers=crown)
    assert same.status_code == 200
    with database.uow() as uow:  # a change that changes nothing writes nothing
        assert len(audit.list_events(uow=uow, organisation=CROWN, action="organisation.saved")) == len(trail)


def test_nobody_else_changes_it_this_way(client: TestClient, database: Database) -> None:
    harrow = client.patch(f"/api/partners/organisations/{CROWN}", json={"sme": True},
                          headers=_bearer(database, "admin@harrow.test"))
    assert harrow.status_code == 404  # another organisation's details are not there to change
    bidder = client.patch(f"/api/partners/organisations/{CROWN}", json={"sme": True},
                          headers=_bearer(database, "bids@crown.test"))
    assert bidder.status_code == 403  # its own people, but only its admins
    assert not _org(database, CROWN).sme


def test_what_is_not_a_name_or_an_sme_is_refused(client: TestClient, database: Database) -> None:
    empty = client.patch(f"/api/partners/organisations/{CROWN}", json={"name": "  "},
                         headers=_bearer(database, "admin@crown.test"))
    assert empty.status_code == 422 and empty.json()["error"].startswith("name: is empty")
    council = client.patch("/api/partners/organisations/E09000015", json={"sme": True},
                           headers=_bearer(database, "admin@harrow.test"))
    assert council.status_code == 422 and "only providers carry the SME flag" in council.json()["error"]
    renamed = client.patch("/api/partners/organisations/e09000015", json={"name": "Harrow Council"},
                           headers=_bearer(database, "admin@harrow.test"))
    assert renamed.status_code == 200 and _org(database, "E09000015").name == "Harrow Council"


def test_its_admin_changes_it_on_its_page(client: TestClient, database: Database) -> None:
    sign_in(client, "admin@crown.test")
    page = client.get(f"/partners/{CROWN}")
    assert page.status_code == 200 and f'action="/partners/{CROWN}/details"' in page.text
    saved = client.post(f"/partners/{CROWN}/details", data={"name": "Crown Care Ltd", "sme": "yes"},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"/partners/{CROWN}"
    assert "Saved: Crown Care Ltd (an SME)" in client.get(f"/partners/{CROWN}").text
    assert _org(database, CROWN) == Organisation(CROWN, "Crown Care Ltd", OrgKind.PROVIDER, sme=True)
    refused = client.post(f"/partners/{CROWN}/details", data={"name": "", "sme": "no"})
    assert refused.status_code == 422 and "name: is empty" in refused.text
    assert _org(database, CROWN).sme


def test_a_registered_provider_sets_its_flag_and_keeps_it(client: TestClient, database: Database) -> None:
    form = {"code": "1-102000000", "name": "Hands On Care", "sme": "yes", "person": "Tom", "email": "tom@hands.test",
            "password": "a long enough secret", "password_again": "a long enough secret"}
    done = client.post("/register", data={**form, "csrf_token": csrf_token(client)}, follow_redirects=False)
    assert done.status_code == 303 and _org(database, "1-102000000").sme
    client.headers["X-CSRF-Token"] = csrf_token(client)
    changed = client.patch("/api/partners/organisations/1-102000000", json={"sme": False})
    assert changed.status_code == 200 and not _org(database, "1-102000000").sme
    refused = client.post("/api/partners/import", headers=_bearer(database, "admin@harrow.test"), files={
        "file": ("orgs.csv", b"code,name,kind,sme\n1-102000000,Hands On Care,provider,yes\n", "text/csv")})
    assert refused.status_code == 422 and "Hands On Care (1-102000000) manages its own record" in refused.text
    assert not _org(database, "1-102000000").sme
