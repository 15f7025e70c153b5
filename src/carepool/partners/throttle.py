"""Limits on guessing: failed sign-ins, and registrations, from one address or for one email.

The sign-in form would otherwise answer as fast as a script can ask, so a weak password falls to a
list of common ones. Every sign-in attempt is noted *before* the password is checked, so guesses sent
at the same moment count each other; an attempt that succeeds, or is refused, is forgotten again.
Within ``WINDOW``:

* ``FAILURES_HERE`` failures for one email from one address refuse that email from that address: a
  guesser is stopped while the owner, elsewhere, can still sign in;
* ``FAILURES_PER_CLIENT`` failures from one address (any emails) refuse that address;
* ``FAILURES_PER_EMAIL`` failures for one email from anywhere refuse that email: a guess spread over
  many addresses is slowed, and locking the owner out takes that many requests in every window.

An email is counted whether or not it has an account, so a refusal says nothing about who has one, and
it is kept only as a keyed hash (people sometimes type a password into the email box). Registration,
open to anyone, allows ``REGISTRATIONS_PER_CLIENT`` attempts (successful or not) from one address in
``REGISTRATION_WINDOW``. Behind a reverse proxy the address is the proxy's unless the server trusts
its forwarded-for header (see docs/partners.md).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from carepool.core.errors import CarepoolError
from carepool.db import meta
from carepool.db.uow import UnitOfWork
from carepool.partners import access, registration
from carepool.partners.model import Caller
from carepool.partners.tables import SignInAttemptRow

WINDOW = timedelta(minutes=15)
FAILURES_HERE = 10
FAILURES_PER_CLIENT = 30
FAILURES_PER_EMAIL = 100
REGISTRATION_WINDOW = timedelta(hours=1)
REGISTRATIONS_PER_CLIENT = 10
SIGN_IN, REGISTRATION = "sign_in_failed", "registration"


def free_again_at(times: list[datetime], *, limit: int, window: timedelta, now: datetime) -> datetime | None:
    """When one more attempt is allowed, if ``times`` (within the window, any order) already reach ``limit``."""
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window


def email_key(uow: UnitOfWork, email: str) -> str:
    """The typed email as it is kept: a keyed hash of it as sign-in reads it (trimmed, lower case)."""
    secret = meta.session_secret(uow).encode()
    return hmac.new(secret, b"sign-in:" + email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _note(uow: UnitOfWork, action: str, key: str, client: str, now: datetime) -> SignInAttemptRow:
    """Note an attempt and commit it at once, so that attempts made at the same moment see each other."""
    oldest = now - max(WINDOW, REGISTRATION_WINDOW)
    uow.session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.at < oldest))
    row = SignInAttemptRow(at=now, action=action, email=key, client=client[:64])
    uow.session.add(row)
    uow.commit()
    return row


def _others(uow: UnitOfWork, own: SignInAttemptRow, since: datetime, **match: str) -> list[datetime]:
    query = select(SignInAttemptRow.at).where(SignInAttemptRow.action == own.action, SignInAttemptRow.at > since,
                                              SignInAttemptRow.id != own.id)
    for column, value in match.items():
        query = query.where(getattr(SignInAttemptRow, column) == value)
    return list(uow.session.execute(query).scalars())


def _refused(uow: UnitOfWork, own: SignInAttemptRow, checks: list[tuple[list[datetime], int, str]],
             window: timedelta, now: datetime) -> CarepoolError | None:
    for times, limit, what in checks:
        until = free_again_at(times, limit=limit, window=window, now=now)
        if until is not None:
            uow.session.delete(own)  # a refusal is not itself an attempt: it does not lengthen the wait
            uow.commit()
            span = "hour" if window == timedelta(hours=1) else f"{window.seconds // 60} minutes"
            return CarepoolError(f"too many {what} in the last {span}: try again after {until:%H:%M} UTC on "
                                 f"{until.day} {until:%B}", kind="too_many")
    return None


def sign_in(*, uow: UnitOfWork, email: str, password: str, client: str) -> Caller:
    """The caller these credentials name, unless this email or address has failed too often lately."""
    now, key = uow.now(), email_key(uow, email)
    own = _note(uow, SIGN_IN, key, client, now)
    since = now - WINDOW
    refusal = _refused(uow, own, [
        (_others(uow, own, since, email=key, client=client), FAILURES_HERE,
         "failed sign-ins for this email from your network"),
        (_others(uow, own, since, client=client), FAILURES_PER_CLIENT, "failed sign-ins from your network"),
        (_others(uow, own, since, email=key), FAILURES_PER_EMAIL, "failed sign-ins for this email"),
    ], WINDOW, now)
    if refusal is not None:
        raise refusal
    caller = access.authenticate(uow=uow, email=email, password=password)  # a failure stays noted
    uow.session.execute(delete(SignInAttemptRow).where(  # this email's failures from here only
        SignInAttemptRow.action == SIGN_IN, SignInAttemptRow.email == key, SignInAttemptRow.client == client))
    uow.commit()
    return caller


def register(*, uow: UnitOfWork, form: registration.ProviderRegistration, client: str) -> Caller:
    """Register a provider (``registration.register_provider``) unless this address has tried often lately; every
    attempt counts, so the form's answers cannot be used to test email after email."""
    now = uow.now()
    own = _note(uow, REGISTRATION, email_key(uow, form.email), client, now)
    recent = _others(uow, own, now - REGISTRATION_WINDOW, client=client)
    refusal = _refused(uow, own, [(recent, REGISTRATIONS_PER_CLIENT, "registrations from your network")],
                       REGISTRATION_WINDOW, now)
    if refusal is not None:
        raise refusal
    return registration.register_provider(uow=uow, form=form)
