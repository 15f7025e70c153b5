"""Limits on guessing: failed sign-ins per email and per client, and registrations per client.

The sign-in form would otherwise answer as fast as a script can ask, so a weak password falls to a
list of common ones. Every failed sign-in is noted (the email as typed, whether or not it has an
account, so a refusal says nothing about who has one) with the client's address. An email with
``FAILURES_PER_EMAIL`` failures in the last ``WINDOW`` is refused from anywhere until the oldest of
them leaves the window; a client with ``FAILURES_PER_CLIENT`` failures (any emails) likewise. A
successful sign-in forgets its email's failures. Registration, open to anyone, is limited to
``REGISTRATIONS_PER_CLIENT`` a client in ``REGISTRATION_WINDOW``.

Behind a reverse proxy the client is the proxy unless the server trusts its forwarded-for header
(uvicorn's ``--forwarded-allow-ips``); see docs/deployment.md.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from carepool.core.errors import CarepoolError
from carepool.db.uow import UnitOfWork
from carepool.partners import access, registration
from carepool.partners.model import Caller
from carepool.partners.tables import SignInAttemptRow

WINDOW = timedelta(minutes=15)
FAILURES_PER_EMAIL = 10
FAILURES_PER_CLIENT = 30
REGISTRATION_WINDOW = timedelta(hours=1)
REGISTRATIONS_PER_CLIENT = 5
FAILED, REGISTERED = "sign_in_failed", "registered"


def free_again_at(times: list[datetime], *, limit: int, window: timedelta, now: datetime) -> datetime | None:
    """When one more attempt is allowed, if ``times`` (within the window, any order) already reach ``limit``."""
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window


def _times(uow: UnitOfWork, action: str, since: datetime, *, email: str | None = None,
           client: str | None = None) -> list[datetime]:
    query = select(SignInAttemptRow.at).where(SignInAttemptRow.action == action, SignInAttemptRow.at > since)
    if email is not None:
        query = query.where(SignInAttemptRow.email == email)
    if client is not None:
        query = query.where(SignInAttemptRow.client == client)
    return [_aware(t) for t in uow.session.execute(query).scalars()]


def _aware(moment: datetime) -> datetime:  # SQLite hands times back without their zone
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _refuse(until: datetime, who: str, what: str) -> CarepoolError:
    return CarepoolError(f"too many {what} {who} in a short time: try again after {until:%H:%M} UTC",
                         kind="too_many")


def _note(uow: UnitOfWork, action: str, email: str, client: str, now: datetime) -> None:
    oldest = now - max(WINDOW, REGISTRATION_WINDOW)
    uow.session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.at < oldest))
    uow.session.add(SignInAttemptRow(at=now, action=action, email=email[:254], client=client[:64]))


def sign_in(*, uow: UnitOfWork, email: str, password: str, client: str) -> Caller:
    """The caller these credentials name, unless this email or client has failed too often lately."""
    now, typed = uow.now(), email.strip().lower()
    since = now - WINDOW
    for times, limit, who in ((_times(uow, FAILED, since, email=typed), FAILURES_PER_EMAIL, "for this email"),
                              (_times(uow, FAILED, since, client=client), FAILURES_PER_CLIENT, "from here")):
        until = free_again_at(times, limit=limit, window=WINDOW, now=now)
        if until is not None:
            raise _refuse(until, who, "failed sign-ins")
    try:
        caller = access.authenticate(uow=uow, email=email, password=password)
    except CarepoolError:
        _note(uow, FAILED, typed, client, now)
        uow.commit()
        raise
    uow.session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.action == FAILED,
                                                       SignInAttemptRow.email == typed))
    uow.commit()
    return caller


def register(*, uow: UnitOfWork, form: registration.ProviderRegistration, client: str) -> Caller:
    """Register a provider (``registration.register_provider``) unless this client has registered often lately;
    only registrations that succeed count."""
    now = uow.now()
    until = free_again_at(_times(uow, REGISTERED, now - REGISTRATION_WINDOW, client=client),
                          limit=REGISTRATIONS_PER_CLIENT, window=REGISTRATION_WINDOW, now=now)
    if until is not None:
        raise _refuse(until, "from here", "registrations")
    _note(uow, REGISTERED, form.email.strip().lower(), client, now)
    return registration.register_provider(uow=uow, form=form)  # commits the note with the registration
