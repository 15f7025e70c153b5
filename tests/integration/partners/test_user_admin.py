"""An organisation's admin takes access away and changes it: deactivating a colleague who has left (their password,
sessions and tokens stop working at once), reactivating, changing roles and revoking tokens, on the API, the page
and the CLI; never their own access, never the last admin, never another organisation's users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.cli import main
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.partners import access, user_admin
from carepool.partners.model import OrgKind
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user, sign_in, token_for

BRENT, EALING = "E09000005", "E09000009"
PRIYA, SAM, EALING_ADMIN = "priya@brent.test", "sam@brent.test", "admin@ealing.test"
USERS = f"/api/partners/organisations/{BRENT}/users"


@pytest.fixture
def people(database: Database) -> Database:
    add_organisations(database, (BRENT, "London Borough of Brent", OrgKind.LOCAL_AUTHORITY),
                      (EALING, "London Borough of Ealing", OrgKind.LOCAL_AUTHORITY))
    add_user(database, PRIYA, BRENT, "admin", "finance")
    add_user(database, SAM, BRENT, "commissioner", "finance")
    add_user(database, EALING_ADMIN, EALING, "admin")
    return database


@pytest.fixture
def client(people: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database=people)) as test_client:
        yield test_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _user(database: Database, email: str) -> access.UserInfo:
    with database.uow() as uow:
        return next(u for u in access.list_all_users(uow=uow) if u.email == email)


def _events(database: Database, action: str) -> list[audit.AuditEvent]:
    with database.uow() as uow:
        return audit.list_events(uow=uow, organisation=BRENT, action=action)


def test_deactivating_ends_password_sessions_and_tokens_at_once(client: TestClient, people: Database) -> None:
    priya = _bearer(token_for(people, PRIYA))
    sams_token = token_for(people, SAM)
    sams_browser = TestClient(client.app)
    sign_in(sams_browser, SAM)
    assert sams_browser.get("/api/me").status_code == 200
    assert client.get("/api/me", headers=_bearer(sams_token)).status_code == 200

    answer = client.patch(f"{USERS}/{SAM}", json={"active": False}, headers=priya)
    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    assert sams_browser.get("/api/me").status_code == 401  # the open session
    assert client.get("/api/me", headers=_bearer(sams_token)).status_code == 401  # the token
    refused = sign_in(TestClient(client.app), SAM)
    assert refused.status_code == 401 and "or the account has been deactivated" in refused.text
    wrong = sign_in(TestClient(client.app), PRIYA, "not her password")  # the same words: nothing more is told
    assert wrong.status_code == 401 and "or the account has been deactivated" in wrong.text

    listed = {u["email"]: u["active"] for u in client.get(USERS, headers=priya).json()}
    assert listed == {PRIYA: True, SAM: False}
    [event] = _events(people, "user.deactivated")
    assert (event.actor, event.entity_id, event.before, event.after) == (
        f"user:{PRIYA}", SAM, {"active": True}, {"active": False, "sessions_ended": 1, "tokens_revoked": 1})

    back = client.patch(f"{USERS}/{SAM}", json={"active": True}, headers=priya)
    assert back.status_code == 200 and back.json()["active"] is True
    assert sign_in(TestClient(client.app), SAM, follow_redirects=False).status_code == 303
    assert client.get("/api/me", headers=_bearer(sams_token)).status_code == 401  # old tokens stay revoked
    assert len(_events(people, "user.reactivated")) == 1


def test_a_role_change_applies_from_the_next_request(client: TestClient, people: Database) -> None:
    priya, sam = _bearer(token_for(people, PRIYA)), _bearer(token_for(people, SAM))
    assert client.get("/api/me", headers=sam).json()["roles"] == ["commissioner", "finance"]
    changed = client.patch(f"{USERS}/{SAM.upper()}", json={"roles": ["viewer"]}, headers=priya)
    assert changed.status_code == 200 and changed.json()["roles"] == ["viewer"]
    assert client.get("/api/me", headers=sam).json()["roles"] == ["viewer"]
    [event] = _events(people, "user.roles_changed")
    assert (event.before, event.after) == ({"roles": ["commissioner", "finance"]}, {"roles": ["viewer"]})
    wrong = client.patch(f"{USERS}/{SAM}", json={"roles": ["provider"]}, headers=priya)
    assert wrong.status_code == 422 and "provider is not a role" in wrong.json()["error"]
    none = client.patch(f"{USERS}/{SAM}", json={"roles": []}, headers=priya)
    assert none.status_code == 422 and none.json()["kind"] == "invalid"
    assert client.patch(f"{USERS}/{SAM}", json={"roles": ["admin"]}, headers=sam).status_code == 403  # a viewer


def test_no_admin_locks_the_organisation_out(client: TestClient, people: Database) -> None:
    priya = _bearer(token_for(people, PRIYA))
    self_off = client.patch(f"{USERS}/{PRIYA}", json={"active": False}, headers=priya)
    assert self_off.status_code == 403 and self_off.json()["error"].startswith("you cannot deactivate yourself")
    self_demoted = client.patch(f"{USERS}/{PRIYA}", json={"roles": ["finance"]}, headers=priya)
    assert self_demoted.status_code == 403 and "your own admin role" in self_demoted.json()["error"]
    assert _user(people, PRIYA).active

    client.patch(f"{USERS}/{SAM}", json={"roles": ["admin"]}, headers=priya)  # Sam is an admin too now
    sam = _bearer(token_for(people, SAM))
    assert client.patch(f"{USERS}/{PRIYA}", json={"active": False}, headers=sam).status_code == 200
    with people.uow() as uow, pytest.raises(CarepoolError, match="last active admin") as refused:
        user_admin.set_roles(uow=uow, manager=user_admin.Manager("cli:test"), email=SAM, roles=["viewer"])
    assert refused.value.kind == "conflict"  # the operator cannot remove the last admin either
    last = client.patch(f"{USERS}/{SAM}", json={"active": False}, headers=sam)
    assert last.status_code == 403  # herself, and the last admin besides


def test_another_organisations_users_are_not_found(client: TestClient, people: Database) -> None:
    ealing = _bearer(token_for(people, EALING_ADMIN))
    for request in (client.patch(f"{USERS}/{SAM}", json={"active": False}, headers=ealing),
                    client.post(f"{USERS}/{SAM}/tokens/revoke", headers=ealing),
                    client.patch(f"/api/partners/organisations/{EALING}/users/{SAM}", json={"active": False},
                                 headers=ealing),
                    client.patch(f"{USERS}/nobody@brent.test", json={"active": False},
                                 headers=_bearer(token_for(people, PRIYA)))):
        assert request.status_code == 404 and request.json()["kind"] == "not_found", request.text
    assert _user(people, SAM).active


def test_revoking_tokens_says_how_many(client: TestClient, people: Database) -> None:
    priya = _bearer(token_for(people, PRIYA))
    sams = [token_for(people, SAM) for _ in range(2)]
    answer = client.post(f"{USERS}/{SAM}/tokens/revoke", headers=priya)
    assert answer.status_code == 200 and answer.json() == {"email": SAM, "revoked": 2}
    assert all(client.get("/api/me", headers=_bearer(t)).status_code == 401 for t in sams)
    assert client.post(f"{USERS}/{SAM}/tokens/revoke", headers=priya).json()["revoked"] == 0
    [event] = _events(people, "token.revoked")
    assert event.after == {"tokens": 0, "revoked": 2}
    assert _user(people, SAM).active  # tokens only: Sam still signs in


def test_the_admin_does_it_on_the_organisation_page(client: TestClient, people: Database) -> None:
    token_for(people, SAM)
    sign_in(client, PRIYA)
    page = client.get(f"/partners/{BRENT}")
    assert f'action="/partners/{BRENT}/users/sam%40brent.test/deactivate"' in page.text
    assert f'action="/partners/{BRENT}/users/priya%40brent.test/deactivate"' not in page.text  # not herself
    done = client.post(f"/partners/{BRENT}/users/sam%40brent.test/deactivate", follow_redirects=False)
    assert done.status_code == 303
    page = client.get(f"/partners/{BRENT}")
    assert "is deactivated: signed out everywhere" in page.text and "Deactivated" in page.text
    assert not _user(people, SAM).active
    roles = client.post(f"/partners/{BRENT}/users/priya%40brent.test/roles", data={"roles": ["finance"]})
    assert roles.status_code == 403 and "your own admin role" in roles.text  # said on the page
    client.post(f"/partners/{BRENT}/users/sam%40brent.test/reactivate")
    assert _user(people, SAM).active
    other = client.post(f"/partners/{EALING}/users/admin%40ealing.test/deactivate")
    assert other.status_code == 404 and _user(people, EALING_ADMIN).active


def test_the_operator_at_the_command_line(cli_env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    add_organisations(cli_env, (BRENT, "London Borough of Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(cli_env, PRIYA, BRENT, "admin")
    add_user(cli_env, SAM, BRENT, "commissioner")
    token_for(cli_env, SAM)
    assert main(["users", "revoke-tokens", SAM]) == 0
    assert f"revoked 1 API token of {SAM}" in capsys.readouterr().out
    assert main(["users", "deactivate", SAM]) == 0
    assert main(["users", "list"]) == 0
    assert "deactivated" in capsys.readouterr().out
    assert main(["users", "token", SAM]) == 6 and "is deactivated" in capsys.readouterr().err
    assert main(["users", "reactivate", SAM]) == 0
    assert main(["users", "roles", SAM, "--role", "viewer", "--role", "finance"]) == 0
    assert "now holds finance, viewer" in capsys.readouterr().out
    assert main(["users", "deactivate", PRIYA]) == 6  # the last admin
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "last active admin" in err and "Traceback" not in err
    assert main(["users", "deactivate", PRIYA, "--as", PRIYA]) == 5  # oneself
    assert main(["users", "roles", SAM, "--role", "provider"]) == 2
    assert main(["users", "deactivate", "nobody@brent.test"]) == 4
    assert [e.action for e in _events(cli_env, "user.")][:3] == ["user.roles_changed", "user.reactivated",
                                                                "user.deactivated"]
