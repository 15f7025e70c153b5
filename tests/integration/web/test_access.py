import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from carepool.db.engine import Database
from carepool.partners.model import OrgKind
from carepool.web.app import create_app
from tests.integration.helpers import PASSWORD, add_organisations, add_user, csrf_token, sign_in, token_for


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    add_organisations(database, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY),
                      ("E09000009", "Ealing", OrgKind.LOCAL_AUTHORITY),
                      ("QRV", "NHS NWL ICB", OrgKind.NHS_COMMISSIONER),
                      ("1-101234567", "Kindly Care Ltd", OrgKind.PROVIDER),
                      ("1-202345678", "Allied Homecare", OrgKind.PROVIDER))
    add_user(database, "admin@brent.test", "E09000005", "admin")
    add_user(database, "admin@kindly.test", "1-101234567", "provider", "admin")
    add_user(database, "admin@ealing.test", "E09000009", "admin")
    add_user(database, "viewer@brent.test", "E09000005", "viewer")
    with TestClient(create_app(database=database)) as test_client:
        yield test_client


def _auth(database: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(database, email)}"}


def test_no_credentials_no_data(client: TestClient) -> None:
    for path in ["/api/me", "/api/partners/organisations", "/api/audit/events"]:
        response = client.get(path)
        assert response.status_code == 401, path
    assert client.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_signing_in_returns_to_the_page_asked_for_with_its_query(client: TestClient) -> None:
    asked = client.get("/audit?entity_type=user&entity_id=admin@brent.test", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=/audit%3Fentity_type%3Duser%26entity_id%3Dadmin%40brent.test"
    form = client.get(asked.headers["location"]).text
    assert 'name="next" value="/audit?entity_type=user&amp;entity_id=admin@brent.test"' in form
    back = sign_in(client, "admin@brent.test", data={"next": "/audit?entity_type=user&entity_id=admin@brent.test"},
                   follow_redirects=False)
    assert back.headers["location"] == "/audit?entity_type=user&entity_id=admin@brent.test"


def test_token_identifies_the_caller(client: TestClient, database: Database) -> None:
    me = client.get("/api/me", headers=_auth(database, "admin@brent.test")).json()
    assert me["organisation_code"] == "E09000005" and me["roles"] == ["admin"]


def test_organisation_a_cannot_see_organisation_b_users(client: TestClient, database: Database) -> None:
    brent = _auth(database, "admin@brent.test")
    own = client.get("/api/partners/organisations/E09000005/users", headers=brent)
    assert own.status_code == 200
    assert {u["email"] for u in own.json()} == {"admin@brent.test", "viewer@brent.test"}
    assert "id" not in own.json()[0]  # a user's number would count every organisation's users
    created = client.get("/api/audit/events", params={"action": "user.created"}, headers=brent).json()
    assert {e["entity_id"] for e in created} == {"admin@brent.test", "viewer@brent.test"}
    other = client.get("/api/partners/organisations/E09000009/users", headers=brent)
    assert other.status_code == 404
    assert "admin@ealing" not in other.text


def test_audit_events_are_scoped_to_the_caller(client: TestClient, database: Database) -> None:
    events = client.get("/api/audit/events", headers=_auth(database, "admin@ealing.test")).json()
    assert events and all(e["organisation"] == "E09000009" for e in events)


def test_roles_are_enforced(client: TestClient, database: Database) -> None:
    viewer = _auth(database, "viewer@brent.test")
    assert client.get("/api/partners/organisations/E09000005/users", headers=viewer).status_code == 403
    assert client.get("/api/audit/events", headers=viewer).status_code == 403
    upload = {"file": ("orgs.csv", b"code,name,kind,sme\nE09000015,Harrow,local_authority,no\n", "text/csv")}
    assert client.post("/api/partners/import", files=upload, headers=viewer).status_code == 403


def test_api_import_is_all_or_nothing_with_the_same_message(client: TestClient, database: Database) -> None:
    admin = _auth(database, "admin@brent.test")
    bad = {"file": ("orgs.csv", b"code,name,kind,sme\nE09000015,Harrow,local_authority,no\nQ,,provider,\n",
                    "text/csv")}
    response = client.post("/api/partners/import", files=bad, headers=admin)
    assert response.status_code == 422
    assert "orgs.csv, row 3, column name: is empty" in response.json()["problems"]
    assert len(client.get("/api/partners/organisations", headers=admin).json()) == 5
    good = {"file": ("orgs.csv", b"code,name,kind,sme\nE09000015,Harrow,local_authority,no\n", "text/csv")}
    assert client.post("/api/partners/import", files=good, headers=admin).json()["organisations"] == 1


def test_only_commissioners_admins_edit_the_directory_and_never_another_partners_record(
        client: TestClient, database: Database) -> None:
    def upload(text: str) -> dict[str, tuple[str, bytes, str]]:
        return {"file": ("orgs.csv", ("code,name,kind,sme\n" + text).encode(), "text/csv")}

    provider = _auth(database, "admin@kindly.test")  # a provider's own admin: not the consortium's directory
    refused = client.post("/api/partners/import", files=upload("1-202345678,Allied Homecare,provider,yes\n"),
                          headers=provider)
    assert refused.status_code == 403 and "only an admin of a council" in refused.json()["error"]
    sign_in(client, "admin@kindly.test")
    assert "/partners/import" not in client.get("/partners").text
    assert client.get("/partners/import").status_code == 403
    client.post("/logout", data={"csrf_token": client.headers.pop("X-CSRF-Token")})

    brent = _auth(database, "admin@brent.test")
    renamed = "E09000009,Brent was here,local_authority,no\nE09000015,Harrow,local_authority,no\n"
    other = client.post("/api/partners/import", headers=brent, files=upload(renamed))
    assert other.status_code == 422
    assert ("orgs.csv, row 2, column code: E09000009 (Ealing) is another partner's record: only its own admin, "
            "or the operator with 'carepool orgs import', can change it") in other.json()["problems"]
    names = {o["code"]: o["name"] for o in client.get("/api/partners/organisations", headers=brent).json()}
    assert names["E09000009"] == "Ealing" and "E09000015" not in names  # all or nothing
    same = "E09000009,Ealing,local_authority,no\nE09000005,London Borough of Brent,local_authority,no\n"
    ok = client.post("/api/partners/import", files=upload(same + "1-202345678,Allied Homecare,provider,yes\n"),
                     headers=brent)  # unchanged rows, its own record and a provider's details: allowed
    assert ok.status_code == 200


def test_login_with_the_session_cookie(client: TestClient) -> None:
    wrong = sign_in(client, "admin@brent.test", "nope")
    assert wrong.status_code == 401 and "not recognised" in wrong.text
    ok = sign_in(client, "admin@brent.test", data={"next": "//evil.example"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Brent" in home.text
    assert client.get("/api/me").json()["email"] == "admin@brent.test"
    client.post("/logout")
    assert client.get("/api/me").status_code == 401


def test_forms_posted_with_the_session_cookie_need_the_session_token(client: TestClient, database: Database) -> None:
    """A form another site posts rides on the session cookie but cannot know the token in carepool's pages."""
    refused = client.post("/login", data={"email": "admin@brent.test", "password": PASSWORD})
    assert refused.status_code == 403 and "reload the page" in refused.text
    assert client.get("/api/me").status_code == 401

    before = csrf_token(client)
    sign_in(client, "admin@brent.test")
    token = client.headers.pop("X-CSRF-Token")
    assert token != before  # a new session, a new token
    orgs = {"file": ("orgs.csv", b"code,name,kind,sme\nE09000015,Harrow,local_authority,no\n", "text/csv")}
    forged = client.post("/partners/import", files=orgs)
    assert forged.status_code == 403 and "did not come from a carepool page" in forged.text
    assert client.post("/partners/import", files=orgs, data={"csrf_token": before}).status_code == 403
    assert client.post("/api/partners/import", files=orgs).status_code == 403  # the API with the cookie alike
    assert client.post("/logout").status_code == 403
    assert "Harrow" not in client.get("/partners").text  # nothing was imported
    assert client.get("/api/me").status_code == 200  # and still signed in

    imported = client.post("/partners/import", files=orgs, data={"csrf_token": token})  # the page's own form
    assert imported.status_code == 200 and "Harrow" in client.get("/partners").text
    with_header = client.post("/api/partners/import", files=orgs, headers={"X-CSRF-Token": token})
    assert with_header.status_code == 200
    bearer = _auth(database, "admin@ealing.test")
    client.cookies.clear()
    assert client.post("/api/partners/import", files=orgs, headers=bearer).status_code == 200  # no cookie, no token
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def test_signing_in_needs_the_token_behind_a_root_path_too(database: Database) -> None:
    add_organisations(database, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(database, "admin@brent.test", "E09000005", "admin")
    with TestClient(create_app(database=database), root_path="/carepool") as proxied:
        refused = proxied.post("/carepool/login", data={"email": "admin@brent.test", "password": PASSWORD})
        assert refused.status_code == 403


def test_a_locality_and_its_population_are_changed_only_by_its_council_or_nhs_partner(
        client: TestClient, database: Database) -> None:
    def upload(header: str, text: str) -> dict[str, tuple[str, bytes, str]]:
        return {"file": ("places.csv", (header + "\n" + text).encode(), "text/csv")}

    localities = "code,name,council_code,nhs_code"
    populations = "locality_code,age_band,year,count"
    brent, ealing = _auth(database, "admin@brent.test"), _auth(database, "admin@ealing.test")
    own = client.post("/api/partners/import", headers=brent, files=upload(
        localities, "BRN-N,Brent North,E09000005,QRV\nBRN-S,Brent South,E09000005,QRV\n"))
    assert own.status_code == 200
    assert client.post("/api/partners/import", headers=brent, files=upload(
        populations, "BRN-N,65-74,2026,4100\n")).status_code == 200

    taken = client.post("/api/partners/import", headers=ealing, files=upload(
        localities, "BRN-N,Brent North,E09000009,QRV\n"))
    assert taken.status_code == 422
    assert ("places.csv, row 2, column code: BRN-N is not one of your organisation's localities (E09000009 is "
            "neither its council nor its NHS partner)") in taken.json()["problems"][0]
    renamed = client.post("/api/partners/import", headers=ealing, files=upload(
        localities, "BRN-S,Wembley,E09000005,QRV\nEAL-C,Ealing Central,E09000009,QRV\n"))
    assert renamed.status_code == 422 and len(renamed.json()["problems"]) == 1  # its own new locality is fine
    counted = client.post("/api/partners/import", headers=ealing, files=upload(
        populations, "BRN-N,65-74,2026,4100\nBRN-N,75-84,2026,900\n"))
    assert counted.status_code == 422
    assert counted.json()["problems"] == [
        "places.csv, row 3, column locality_code: BRN-N is not one of your organisation's localities: only its "
        "council or NHS partner can change its population"]  # the unchanged row passes

    # an unchanged locality row does not carry another council's population past the check
    book = Workbook()
    book.active.title = "Localities"
    book.active.append(["code", "name", "council_code", "nhs_code"])
    book.active.append(["BRN-N", "Brent North", "E09000005", "QRV"])
    book.create_sheet("Populations").append(["locality_code", "age_band", "year", "count"])
    book["Populations"].append(["BRN-N", "65-74", 2026, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    sheets = client.post("/api/partners/import", headers=ealing, files={"file": (
        "places.xlsx", buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert sheets.status_code == 422 and "only its council or NHS partner can change its population" in sheets.text

    add_user(database, "admin@nwl.test", "QRV", "admin")
    nhs = _auth(database, "admin@nwl.test")
    handed = client.post("/api/partners/import", headers=nhs, files=upload(
        localities, "BRN-N,Brent North,E09000009,QRV\n"))  # the NHS partner may not give Brent's locality away
    assert handed.status_code == 422 and "whose a locality is changes only with the operator" in handed.text
    assert client.post("/api/partners/import", headers=nhs, files=upload(
        localities, "BRN-S,Brent South and Wembley,E09000005,QRV\n")).status_code == 200
    names = {loc["code"]: loc["name"] for loc in client.get("/api/partners/localities", headers=brent).json()}
    assert names == {"BRN-N": "Brent North", "BRN-S": "Brent South and Wembley"}  # nothing of Ealing's went in


def test_numbers_too_large_for_a_record_are_refused_not_failed(client: TestClient) -> None:
    sign_in(client, "admin@brent.test")
    huge = 2**70
    for path in (f"/api/pool/agreements/{huge}", f"/pool/{huge}", f"/api/procurement/consortia/{huge}",
                 f"/tenders/plan/{huge}"):
        answer = client.get(path)
        assert answer.status_code == 422 and "2147483647" in answer.text, path
    merged = client.post("/api/procurement/lots/merge", json={"lot_ids": [huge, 1]})
    assert merged.status_code == 422, merged.text
    assert client.get(f"/tenders/new?consortium={huge}").status_code == 422  # in a query string too
    assert client.get("/api/audit/events?limit=-5").status_code == 422  # a limit, not a database error
