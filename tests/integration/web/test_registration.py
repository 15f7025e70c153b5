"""A care provider registers itself to bid (Tom's scenario): its organisation and first user in one step,
signed in at once; every problem named, nothing half-made; a code or email on record refused; closable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carepool.audit import service as audit
from carepool.config import Settings
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.partners import service
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.partners.tables import OrganisationRow, UserRow
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user, csrf_token, sign_in

TOM = {"code": "1-101234567", "name": "Kindly Care Ltd", "sme": "yes", "person": "Tom Okoro",
       "email": "Tom@KindlyCare.test", "password": "a long enough secret", "password_again": "a long enough secret"}


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    add_organisations(database, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY))
    with TestClient(create_app(database=database)) as test_client:
        yield test_client


def _register(client: TestClient, **changes: str) -> Any:
    return client.post("/register", data={**TOM, **changes, "csrf_token": csrf_token(client)},
                       follow_redirects=False)


def _counts(database: Database) -> tuple[int, int]:
    with database.uow() as uow:
        return tuple(uow.session.execute(select(func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
                     for t in (OrganisationRow, UserRow))


def test_a_provider_registers_and_is_signed_in_ready_to_bid(client: TestClient, database: Database) -> None:
    assert 'href="/register"' in client.get("/login").text
    assert "CQC provider id" in client.get("/register").text
    forged = client.post("/register", data=TOM, follow_redirects=False)  # another site's form: no token
    assert forged.status_code == 403 and client.get("/api/me").status_code == 401
    done = _register(client)
    assert done.status_code == 303 and done.headers["location"] == "/tenders"
    tenders = client.get("/tenders")
    assert tenders.status_code == 200 and "Kindly Care Ltd is registered and you are signed in" in tenders.text
    me = client.get("/api/me").json()
    assert (me["organisation_code"], me["email"], sorted(me["roles"])) == ("1-101234567", "tom@kindlycare.test",
                                                                          ["admin", "provider"])
    with database.uow() as uow:
        org = service.get_organisation(uow=uow, code="1-101234567")
        events = audit.list_events(uow=uow, organisation="1-101234567", limit=10)
    assert (org.kind, org.sme) == (OrgKind.PROVIDER, True)
    assert {e.action for e in events} == {"organisation.registered", "user.created"}
    assert client.get("/tenders/my-bids").status_code == 200  # the provider portal
    menu = tenders.text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert 'href="/tenders"' in menu and 'href="/audit"' in menu  # its own organisation's trail, as its admin
    assert 'href="/pool"' not in menu and 'href="/partners"' not in menu  # the partners' pages are not its business
    assert client.get("/partners/import").status_code == 403  # a provider never edits the shared directory
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    back = sign_in(client, "tom@kindlycare.test", TOM["password"], follow_redirects=False)
    assert back.headers["location"] == "/tenders"  # a provider lands where it bids


def test_every_problem_is_named_and_nothing_is_made(client: TestClient, database: Database) -> None:
    before = _counts(database)
    page = _register(client, code="1-23", name=" ", email="tom", password="short", password_again="short")
    assert page.status_code == 422
    for said in ("CQC provider id: '1-23' is not a CQC provider id",
                 "Organisation name: is empty", "Email: 'tom' is not an email address",
                 "Password: must have at least 10 characters"):
        assert said in page.text.replace("&#39;", "'")
    assert 'value="1-23"' in page.text and "short" not in page.text  # typed values kept, passwords never
    # the summary links each problem to its field, which repeats it and is marked invalid for screen readers
    assert '<li><a href="#email">Email: &#39;tom&#39; is not an email address</a></li>' in page.text
    assert '<p id="email-error" class="field-error">&#39;tom&#39; is not an email address</p>' in page.text
    assert "<title>Error: Register to bid" in page.text and " novalidate>" in page.text
    assert 'aria-describedby="code-hint code-error" aria-invalid="true"' in page.text
    assert 'id="person-error"' not in page.text and 'name="person" required value="Tom Okoro" autocomplete="name">' \
        in page.text  # a field without a problem is left as it was
    differ = _register(client, password_again="another long secret")
    assert differ.status_code == 422 and "the two passwords differ" in differ.text
    unanswered = _register(client, sme="")  # not assumed "no": it decides the SME floor in awards
    assert unanswered.status_code == 422
    assert '<li><a href="#sme-yes">Small or medium-sized enterprise: answer yes or no' in unanswered.text
    assert 'id="sme-yes" name="sme" value="yes"  required aria-invalid="true"' in unanswered.text
    assert _counts(database) == before


def test_a_code_or_email_already_on_record_is_refused_without_a_trace(client: TestClient,
                                                                       database: Database) -> None:
    assert _register(client).status_code == 303
    client.cookies.clear()
    before = _counts(database)
    again = _register(client, email="someone@else.test")
    assert again.status_code == 409 and "1-101234567 is already registered" in again.text
    for code in ("E09000005", "QXY"):  # a council's code; an ODS code, maybe an NHS body's not yet on record
        refused = _register(client, code=code)
        assert refused.status_code == 422 and "is not a CQC provider id" in refused.text.replace("&#39;", "'")
    taken = _register(client, code="1-109999999", name="Another Care Ltd")  # Tom's email again
    assert taken.status_code == 409 and "Email: these details cannot be registered" in taken.text
    assert "tom@kindlycare.test" not in taken.text.lower().replace('value="tom@kindlycare.test"', "")
    assert "already exists" not in taken.text  # the same answer whoever has an account
    assert _counts(database) == before  # the organisation of the refused user was not kept either


def test_the_operator_can_close_registration(database: Database) -> None:
    closed = Settings(database_url=str(database.url), open_registration=False)
    with TestClient(create_app(closed, database=database)) as client:
        assert 'href="/register"' not in client.get("/login").text
        assert client.get("/register").status_code == 404
        assert _register(client).status_code == 404



def test_an_organisation_with_users_never_changes_kind_by_import(database: Database) -> None:
    """Its users' powers would change with it: a provider's admin would become an ICB's."""
    add_organisations(database, ("QXY", "Somewhere Care Trust", OrgKind.PROVIDER),
                      ("QXZ", "Nobody Yet", OrgKind.PROVIDER))
    add_user(database, "admin@qxy.test", "QXY", "provider", "admin")
    as_icb = [Located(Organisation("QXY", "NHS Somewhere ICB", OrgKind.NHS_COMMISSIONER)),
              Located(Organisation("QXZ", "NHS Elsewhere ICB", OrgKind.NHS_COMMISSIONER))]
    with database.uow() as uow, pytest.raises(CarepoolError) as refused:
        service.import_batch(uow=uow, actor="operator", batch=PartnerBatch(organisations=as_icb), what="orgs.csv")
    said = [str(p) for p in refused.value.problems] or [refused.value.message]
    assert len(said) == 1 and "QXY (Somewhere Care Trust) is on record as a provider with 1 user" in said[0]
    with database.uow() as uow:
        service.import_batch(uow=uow, actor="operator", batch=PartnerBatch(organisations=as_icb[1:]))
        assert service.get_organisation(uow=uow, code="QXZ").kind is OrgKind.NHS_COMMISSIONER  # no users: fine
        assert service.get_organisation(uow=uow, code="QXY").kind is OrgKind.PROVIDER


def test_a_registered_providers_admin_adds_a_colleague_who_can_bid(client: TestClient, database: Database) -> None:
    assert _register(client).status_code == 303
    page = client.get("/partners/1-101234567")
    assert "Add a colleague" in page.text and 'href="/partners/1-101234567"' in page.text  # the header links it
    token = csrf_token(client)
    wrong = client.post("/partners/1-101234567/users", data={"csrf_token": token, "name": "Ann", "password": "x" * 12,
                                                             "email": "ann@kindlycare.test", "roles": ["finance"]})
    assert wrong.status_code == 422 and "finance is not a role for Kindly Care Ltd" in wrong.text
    done = client.post("/partners/1-101234567/users", follow_redirects=True,
                       data={"csrf_token": token, "name": "Ann", "email": "ann@kindlycare.test",
                             "password": "a first secret", "roles": ["provider"]})
    assert "Ann (ann@kindlycare.test) can now sign in" in done.text and "ann@kindlycare.test" in done.text
    elsewhere = client.post("/partners/E09000005/users", data={"csrf_token": token, "name": "Eve", "roles": ["admin"],
                                                               "email": "eve@evil.test", "password": "x" * 12})
    assert elsewhere.status_code == 404  # only to its own organisation
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "ann@kindlycare.test", "a first secret")
    me = client.get("/api/me").json()
    assert (me["organisation_code"], me["roles"]) == ("1-101234567", ["provider"])
    assert client.post("/api/partners/organisations/1-101234567/users", headers={"X-CSRF-Token": csrf_token(client)},
                       json={"email": "bob@kindlycare.test", "name": "Bob", "roles": ["provider"],
                             "password": "x" * 12}).status_code == 403  # Ann is no admin


def test_adding_a_colleague_tells_nothing_of_other_organisations_and_names_too_long_fields(
        client: TestClient, database: Database) -> None:
    add_organisations(database, ("QRV", "NHS North West London ICB", OrgKind.NHS_COMMISSIONER))
    add_user(database, "marcus@icb.test", "QRV", "finance")
    assert _register(client).status_code == 303
    headers = {"X-CSRF-Token": csrf_token(client)}
    url = "/api/partners/organisations/1-101234567/users"
    taken = client.post(url, headers=headers, json={"email": "marcus@icb.test", "name": "M", "roles": ["provider"],
                                                    "password": "x" * 12})
    assert taken.status_code == 409 and "marcus@icb.test" not in taken.text  # whose account it is stays unsaid
    long_name = client.post(url, headers=headers, json={"email": "ann@kindlycare.test", "name": "N" * 201,
                                                        "roles": ["provider"], "password": "x" * 12})
    assert long_name.status_code == 422 and "name: at most 200 characters" in long_name.text
    long_email = client.post(url, headers=headers, json={"email": "a" * 250 + "@kindlycare.test", "name": "Ann",
                                                         "roles": ["provider"], "password": "x" * 12})
    assert long_email.status_code == 422 and "at most 254 characters" in long_email.text


def test_a_provider_sees_the_partners_and_itself_not_its_competitors(client: TestClient, database: Database) -> None:
    add_organisations(database, ("1-000000042", "Rival Care Ltd", OrgKind.PROVIDER))
    add_user(database, "admin@brent.test", "E09000005", "admin")
    _register(client)
    listed = {o["code"] for o in client.get("/api/partners/organisations").json()}
    assert listed == {"E09000005", "1-101234567"}  # Brent and itself
    assert client.get("/api/partners/organisations/1-000000042").status_code == 404
    assert client.get("/partners/1-000000042").status_code == 404 and "Rival" not in client.get("/partners").text
    assert "providers (" not in client.get("/").text  # nor how many have registered
    client.cookies.clear()
    sign_in(client, "admin@brent.test")
    assert {o["code"] for o in client.get("/api/partners/organisations").json()} >= {"1-000000042", "1-101234567"}
    assert "2 providers (" in client.get("/").text  # the partners see every provider, to commission
