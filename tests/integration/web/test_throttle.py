"""Guessing is slowed: failed sign-ins for one email from one address, from one address, and for one email from
anywhere are limited in a window, and so are registration attempts from one address; a refusal says nothing
about who has an account, the owner elsewhere still signs in, and the window passing lets everyone in again."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carepool.core.clock import FixedClock
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.partners import throttle
from carepool.partners.tables import OrganisationRow, SignInAttemptRow
from tests.integration.helpers import PASSWORD, csrf_token, sign_in
from tests.integration.web.conftest import NOW

ELSEWHERE = "203.0.113.9"


def _fail(client: TestClient, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, email, "not the password").status_code == 401


def _sign_in_from(db: Database, client: str, email: str, password: str = PASSWORD) -> str:
    """What a sign-in from another address ends in: "ok", or the error's kind."""
    try:
        with db.uow() as uow:
            throttle.sign_in(uow=uow, email=email, password=password, client=client)
        return "ok"
    except CarepoolError as error:
        return error.kind


def test_failures_for_an_email_here_refuse_it_here_until_the_window_passes(
        client: TestClient, clocked: Database, clock: FixedClock) -> None:
    _fail(client, "admin@brent.test", throttle.FAILURES_HERE - 3)
    _fail(client, " ADMIN@Brent.test", 3)  # spelt otherwise, the same email
    refused = sign_in(client, "admin@brent.test", PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert ("too many failed sign-ins for this email from your network in the last 15 minutes: try again after "
            "09:15 UTC on 24 November") in refused.text
    assert _sign_in_from(clocked, ELSEWHERE, "admin@brent.test") == "ok"  # the owner, elsewhere, is not locked out
    _fail(client, "nobody@brent.test", throttle.FAILURES_HERE)  # no account: the same answer
    assert "try again after 09:15 UTC" in sign_in(client, "nobody@brent.test", PASSWORD).text
    assert sign_in(client, "finance@brent.test", follow_redirects=False).status_code == 303
    with clocked.uow() as uow:
        kept = list(uow.session.execute(select(SignInAttemptRow.email)).scalars())
    assert kept and all(len(k) == 64 and "@" not in k for k in kept)  # a keyed hash, never the email typed

    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, "admin@brent.test", PASSWORD, follow_redirects=False).status_code == 303


def test_signing_in_forgets_the_failures_from_there_only(client: TestClient, clocked: Database) -> None:
    for _ in range(4):
        assert _sign_in_from(clocked, ELSEWHERE, "admin@brent.test", "a guess") == "unauthenticated"
    _fail(client, "admin@brent.test", throttle.FAILURES_HERE - 1)
    assert sign_in(client, "admin@brent.test", follow_redirects=False).status_code == 303
    with clocked.uow() as uow:
        left = list(uow.session.execute(select(SignInAttemptRow.client)).scalars())
    assert left == [ELSEWHERE] * 4  # the guesser elsewhere gets no fresh start from the owner's sign-in
    _fail(client, "admin@brent.test", throttle.FAILURES_HERE - 1)
    assert sign_in(client, "admin@brent.test", follow_redirects=False).status_code == 303


def test_an_address_guessing_across_many_emails_is_refused(client: TestClient, clocked: Database) -> None:
    for n in range(throttle.FAILURES_PER_CLIENT):
        _fail(client, f"guess{n}@brent.test", 1)
    refused = sign_in(client, "admin@brent.test", PASSWORD)
    assert refused.status_code == 429 and "too many failed sign-ins from your network" in refused.text
    with clocked.uow() as uow:
        noted = len(list(uow.session.execute(select(SignInAttemptRow.id)).scalars()))
    assert noted == throttle.FAILURES_PER_CLIENT  # a refusal is not itself a failure that lengthens the wait


def test_a_guess_spread_over_many_addresses_is_slowed(clocked: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "FAILURES_PER_EMAIL", 12)
    for n in range(12):
        assert _sign_in_from(clocked, f"198.51.100.{n}", "admin@brent.test", "a guess") == "unauthenticated"
    assert _sign_in_from(clocked, "198.51.100.99", "admin@brent.test") == "too_many"


def test_guesses_sent_at_once_are_counted_together(clocked: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "FAILURES_HERE", 3)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def guess() -> None:
        start.wait()
        outcomes.append(_sign_in_from(clocked, ELSEWHERE, "admin@brent.test", "a guess"))

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("unauthenticated") <= 3 and outcomes.count("too_many") >= 5  # at most 3 were checked


def test_registration_attempts_from_one_address_are_limited(client: TestClient, clocked: Database,
                                                           clock: FixedClock) -> None:
    def register(n: int, email: str | None = None) -> int:
        form = {"code": f"1-1012345{n:02d}", "name": f"Agency {n}", "sme": "yes", "person": "Tom Okoro",
                "email": email or f"tom{n}@agency.test", "password": "a long enough secret",
                "password_again": "a long enough secret", "csrf_token": csrf_token(client)}
        response = client.post("/register", data=form, follow_redirects=False)
        client.cookies.clear()
        return response.status_code

    assert register(0) == 303
    for n in range(1, throttle.REGISTRATIONS_PER_CLIENT):  # testing emails: each refusal counts
        clock.advance(minutes=1)
        assert register(n, email="admin@brent.test") == 409
    assert register(50) == 429
    with clocked.uow() as uow:
        assert uow.session.get(OrganisationRow, "1-101234550") is None  # nothing made
    clock.advance(hours=1)
    assert register(50) == 303


def test_when_one_more_attempt_is_allowed() -> None:
    times = [NOW.replace(minute=m) for m in (1, 3, 5)]
    window = throttle.WINDOW
    assert throttle.free_again_at(times, limit=4, window=window, now=NOW.replace(minute=6)) is None
    assert throttle.free_again_at(times, limit=3, window=window, now=NOW.replace(minute=6)) == NOW.replace(minute=16)
    assert throttle.free_again_at(times, limit=2, window=window, now=NOW.replace(minute=6)) == NOW.replace(minute=18)
    assert throttle.free_again_at(times, limit=3, window=window, now=NOW.replace(minute=17)) is None
