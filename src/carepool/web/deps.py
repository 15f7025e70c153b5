"""FastAPI dependencies: the unit of work and the one access check (deny by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from carepool.core.errors import CarepoolError
from carepool.core.ids import LARGEST_ROW_ID
from carepool.db.engine import Database
from carepool.db.uow import UnitOfWork
from carepool.partners import access, web_sessions
from carepool.partners.model import Caller, Role


def get_database(request: Request) -> Database:
    return request.app.state.database


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # they only read; the database refuses a write in them


def get_uow(request: Request) -> Iterator[UnitOfWork]:
    with get_database(request).uow(reads_only=request.method in SAFE_METHODS) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
RowId = Annotated[int, Path(ge=1, le=LARGEST_ROW_ID)]  # a record's number in a page address
RowQuery = Annotated[int, Query(ge=1, le=LARGEST_ROW_ID)]  # one in its query string


def current_caller(request: Request, uow: UowDep) -> Caller:
    """The signed-in user, from a bearer token (API) or the session cookie (pages)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise CarepoolError("use 'Authorization: Bearer <token>'", kind="unauthenticated")
        return access.caller_for_token(uow=uow, token=token)
    return web_sessions.caller_for_key(uow=uow, key=request.session.get(web_sessions.COOKIE_KEY))


def begin_session(request: Request, uow: UnitOfWork, caller: Caller) -> None:
    """Sign ``caller`` in on this browser: a fresh cookie (nothing of the old one kept) holding a new key; a
    session this browser had is ended on the server too, so a copy of its cookie stops working."""
    web_sessions.end(uow=uow, key=request.session.get(web_sessions.COOKIE_KEY))
    request.session.clear()
    request.session[web_sessions.COOKIE_KEY] = web_sessions.start(uow=uow, caller=caller)


def end_session(request: Request, uow: UnitOfWork) -> None:
    """Sign out: the server forgets the key, and the cookie is emptied."""
    web_sessions.end(uow=uow, key=request.session.get(web_sessions.COOKIE_KEY))
    request.session.clear()


CallerDep = Annotated[Caller, Depends(current_caller)]


def require(*roles: Role) -> Callable[[Caller], Caller]:
    """A dependency that lets through only callers holding one of ``roles``."""

    def check(caller: CallerDep) -> Caller:
        caller.require(*roles)
        return caller

    return check


def client_address(request: Request) -> str:
    """Who is asking, for the throttle on guessing: the client's address (a reverse proxy's, unless the server
    trusts its forwarded-for header)."""
    return request.client.host if request.client is not None else "unknown"
