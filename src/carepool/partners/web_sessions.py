"""Signed-in browsers, kept on the server.

The session cookie holds only a random key (the user's row number would let a provider with two
accounts count the users made between them); the key's hash names a ``web_sessions`` row, which says
whose session it is. Signing out deletes the row, so a copied cookie stops working at once, and a
session ends ``LIFETIME`` after signing in whatever the browser keeps.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete

from carepool.core.errors import CarepoolError
from carepool.db.uow import UnitOfWork
from carepool.partners import access
from carepool.partners.model import Caller
from carepool.partners.tables import WebSessionRow

LIFETIME = timedelta(hours=8)
COOKIE_KEY = "session_key"  # the entry of the signed session cookie that holds the key


def start(*, uow: UnitOfWork, caller: Caller) -> str:
    """A new session for ``caller``: the key to put in the cookie (stored only as its hash). Sessions past
    their lifetime, anyone's, are deleted on the way."""
    now = uow.now()
    uow.session.execute(delete(WebSessionRow).where(WebSessionRow.started_at <= now - LIFETIME))
    key = secrets.token_urlsafe(32)
    uow.session.add(WebSessionRow(key_hash=access.secret_hash(key), user_id=caller.user_id, started_at=now))
    uow.commit()
    return key


def caller_for_key(*, uow: UnitOfWork, key: object) -> Caller:
    """Whose session ``key`` (the cookie's entry, whatever it holds) is; "sign in" if none, or it has ended."""
    row = uow.session.get(WebSessionRow, access.secret_hash(key)) if isinstance(key, str) and key else None
    if row is None or row.started_at <= uow.now() - LIFETIME:
        raise CarepoolError("sign in to continue", kind="unauthenticated")
    return access.caller_for_user(uow=uow, user_id=row.user_id)


def end(*, uow: UnitOfWork, key: object) -> None:
    """Sign out: the session's row goes, so its cookie no longer works anywhere."""
    if isinstance(key, str) and key:
        uow.session.execute(delete(WebSessionRow).where(WebSessionRow.key_hash == access.secret_hash(key)))
        uow.commit()
