"""Guessing is slowed: failed sign-ins per email and per client, and registrations per client, are limited
in a window; a refusal says nothing about who has an account, and the window passing lets them in again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carepool.core.clock import FixedClock
from carepool.db.engine import Database
from carepool.partners import throttle
from carepool.partners.model import OrgKind
from carepool.partners.tables import OrganisationRow, SignInAttemptRow
from carepool.web.app import create_app
from tests.integration.helpers import PASSWORD, add_organisations, add_user, csrf_token, sign_in

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def clocked(database: Database, clock: FixedClock) -> Iterator[Database]:
    db = Database(database.url, clock=clock)
    add_organisations(db, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(db, "admin@brent.test", "E09000005", "admin")
    add_user(db, "finance@brent.test", "E09000005", "viewer")
    yield db
    db.dispose()


@pytest.fixture
def client(clocked: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database=clocked)) as test_client:
        yield test_client


def _fail(client: TestClient, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, email, "not the password").status_code == 401


def test_an_email_with_too_many_failures_is_refused_until_the_window_passes(
        client: TestClient, clock: FixedClock) -> None:
    _fail(client, "admin@brent.test", throttle.FAILURES_PER_EMAIL)
    refused = sign_in(client, "admin@brent.test", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert "too many failed sign-ins for this email in a short time: try again after 09:15 UTC" in refused.text
    _fail(client, "nobody@brent.test", throttle.FAILURES_PER_EMAIL)  # no account: the same answer
    assert "try again after 09:15 UTC" in sign_in(client, "nobody@brent.test", PASSWORD).text
    assert sign_in(client, "finance@brent.test", follow_redirects=False).status_code == 303  # others sign in

    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, "ADMIN@brent.test ", PASSWORD, follow_redirects=False).status_code == 303


def test_signing_in_forgets_the_failures_before(client: TestClient) -> None:
    _fail(client, "admin@brent.test", throttle.FAILURES_PER_EMAIL - 1)
    assert sign_in(client, "admin@brent.test", follow_redirects=False).status_code == 303
    _fail(client, "admin@brent.test", throttle.FAILURES_PER_EMAIL - 1)
    assert sign_in(client, "admin@brent.test", follow_redirects=False).status_code == 303


def test_a_client_guessing_across_many_emails_is_refused(client: TestClient, clocked: Database) -> None:
    for n in range(throttle.FAILURES_PER_CLIENT):
        _fail(client, f"guess{n}@brent.test", 1)
    refused = sign_in(client, "admin@brent.test", PASSWORD)
    assert refused.status_code == 429 and "too many failed sign-ins from here" in refused.text
    with clocked.uow() as uow:
        noted = uow.session.execute(select(func.count()).select_from(SignInAttemptRow)).scalar_one()
    assert noted == throttle.FAILURES_PER_CLIENT  # a refusal is not itself a failure that lengthens the wait


def test_registrations_from_one_client_are_limited(client: TestClient, clocked: Database, clock: FixedClock) -> None:
    def register(n: int) -> int:
        form = {"code": f"1-10123456{n}", "name": f"Agency {n}", "sme": "yes", "person": "Tom Okoro",
                "email": f"tom{n}@agency.test", "password": "a long enough secret",
                "password_again": "a long enough secret", "csrf_token": csrf_token(client)}
        response = client.post("/register", data=form, follow_redirects=False)
        client.cookies.clear()
        return response.status_code

    assert register(0) == 303
    for n in range(1, throttle.REGISTRATIONS_PER_CLIENT):
        clock.advance(minutes=1)
        assert register(n) == 303
    assert register(9) == 429
    with clocked.uow() as uow:
        assert uow.session.get(OrganisationRow, "1-101234569") is None  # nothing made
    clock.advance(hours=1)
    assert register(9) == 303


def test_when_one_more_attempt_is_allowed() -> None:
    times = [NOW.replace(minute=m) for m in (1, 3, 5)]
    window = throttle.WINDOW
    assert throttle.free_again_at(times, limit=4, window=window, now=NOW.replace(minute=6)) is None
    assert throttle.free_again_at(times, limit=3, window=window, now=NOW.replace(minute=6)) == NOW.replace(minute=16)
    assert throttle.free_again_at(times, limit=2, window=window, now=NOW.replace(minute=6)) == NOW.replace(minute=18)
    assert throttle.free_again_at(times, limit=3, window=window, now=NOW.replace(minute=17)) is None
