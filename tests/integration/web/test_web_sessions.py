"""The session cookie names no user: it holds a random key kept on the server only as a hash; signing out ends
the session for every copy of the cookie, and a session ends eight hours after signing in."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select

from carepool.core.clock import FixedClock
from carepool.db import meta
from carepool.db.engine import Database
from carepool.partners import web_sessions
from carepool.partners.tables import UserRow, WebSessionRow
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.web.conftest import NOW

COOKIE = "carepool_session"


def _cookie_payload(client: TestClient) -> dict[str, object]:
    """What the signed session cookie carries (signed, not hidden: anyone holding it can read this)."""
    encoded = client.cookies[COOKIE].split(".")[0]
    return json.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))


def _stored_sessions(db: Database) -> list[tuple[str, int, datetime]]:
    """Each stored session's key hash, user and start."""
    with db.uow() as uow:
        rows = uow.session.execute(select(WebSessionRow.key_hash, WebSessionRow.user_id, WebSessionRow.started_at))
        return [(key_hash, user_id, started_at) for key_hash, user_id, started_at in rows]


def test_the_cookie_holds_a_random_key_and_the_database_only_its_hash(client: TestClient, clocked: Database) -> None:
    assert sign_in(client, "admin@brent.test").status_code == 200
    payload = _cookie_payload(client)
    key = payload[web_sessions.COOKIE_KEY]
    assert isinstance(key, str) and len(key) >= 40
    with clocked.uow() as uow:
        user_id = uow.session.execute(select(UserRow.id).where(UserRow.email == "admin@brent.test")).scalar_one()
    assert "user_id" not in payload and not any(isinstance(value, int) for value in payload.values())
    [(key_hash, stored_user, _)] = _stored_sessions(clocked)
    assert stored_user == user_id and key not in key_hash and len(key_hash) == 64
    assert client.get("/api/me").json()["email"] == "admin@brent.test"


def test_signing_out_ends_the_session_for_a_copied_cookie_too(client: TestClient, clocked: Database) -> None:
    sign_in(client, "admin@brent.test")
    copied = client.cookies[COOKIE]
    assert client.post("/logout").status_code == 200  # followed to the sign-in page
    assert _stored_sessions(clocked) == []
    client.cookies.set(COOKIE, copied)
    assert client.get("/api/me").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_a_session_ends_after_its_lifetime_and_ended_ones_are_cleared(
    client: TestClient, clocked: Database, clock: FixedClock,
) -> None:
    sign_in(client, "admin@brent.test")
    clock.now = NOW + web_sessions.LIFETIME - timedelta(seconds=1)
    assert client.get("/api/me").status_code == 200
    clock.now = NOW + web_sessions.LIFETIME
    assert client.get("/api/me").status_code == 401
    with TestClient(create_app(database=clocked)) as other:
        sign_in(other, "admin@brent.test")  # a new sign-in deletes sessions past their lifetime, anyone's
    assert [started for _, _, started in _stored_sessions(clocked)] == [clock.now]


def test_a_cookie_naming_a_user_as_before_is_not_signed_in(client: TestClient, clocked: Database) -> None:
    """A cookie from before the change (or forged with a leaked secret) holding a row number opens nothing."""
    with clocked.uow() as uow:
        secret = meta.session_secret(uow)
    payload = base64.b64encode(json.dumps({"user_id": 1}).encode())
    client.cookies.set(COOKIE, TimestampSigner(secret).sign(payload).decode())
    assert client.get("/api/me").status_code == 401


def test_signing_in_again_ends_the_session_this_browser_had(client: TestClient, clocked: Database) -> None:
    sign_in(client, "admin@brent.test")
    copied = client.cookies[COOKIE]
    sign_in(client, "admin@brent.test")  # the same browser, again: a new key
    assert len(_stored_sessions(clocked)) == 1
    client.cookies.clear()
    client.cookies.set(COOKIE, copied)
    assert client.get("/api/me").status_code == 401
