"""Errors FastAPI raises itself (a form sent with a field missing, an unknown address), answered as pages.

The API, files and clients that prefer JSON keep FastAPI's own JSON bodies; a person in a browser gets the
error page in plain words, with a link back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carepool.core.errors import CarepoolError, Problem
from carepool.partners import web_sessions
from carepool.partners.model import Caller
from carepool.web.rendering import render

# What a field of the wrong type should have held, by pydantic's error type.
EXPECTED = {
    "int_parsing": "a whole number", "int_type": "a whole number", "int_from_float": "a whole number",
    "float_parsing": "a number", "float_type": "a number", "decimal_parsing": "a number",
    "decimal_type": "a number", "bool_parsing": "yes or no", "bool_type": "yes or no",
    "date_parsing": "a date such as 2026-03-31", "date_from_datetime_parsing": "a date such as 2026-03-31",
    "datetime_parsing": "a date and time such as 2026-03-31T17:00",
    "datetime_from_date_parsing": "a date and time such as 2026-03-31T17:00",
    "uuid_parsing": "an identifier", "string_type": "text", "list_type": "a list",
}
STATUS_MESSAGES = {
    404: "There is no page at this address. Check the address, or go back and follow a link.",
    405: "This page cannot be used that way. Go back and use the page's own links and buttons.",
    413: "The file or form is larger than carepool takes (at most 10 MB a file, 50 MB in one request): split it "
         "and send it again.",
}


def _quality(accept: str, matches: Callable[[str], bool]) -> float:
    """The highest quality the Accept header gives a media type that ``matches``."""
    best = 0.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not matches(media.lower()):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = max(best, quality)
    return best


def _is_json(media: str) -> bool:
    return media in {"application/json", "application/*", "*/*"} or media.endswith("+json")


def _is_html(media: str) -> bool:
    return media in {"text/html", "application/xhtml+xml", "text/*", "*/*"}


def wants_json(request: Request) -> bool:
    """True for the API, for files (a download or a static asset), and for a client that prefers JSON."""
    path = request.url.path
    if path == "/api" or path.startswith(("/api/", "/static/")) or "/download/" in path:
        return True
    if "." in path.rsplit("/", 1)[-1]:  # an address naming a file, such as /open-data/contracts.csv
        return True
    accept = request.headers.get("accept", "")
    return bool(accept) and _quality(accept, _is_json) > _quality(accept, _is_html)


def back_link(request: Request) -> str:
    """Where the page came from, if that was on this site (and not this same page), else the dashboard."""
    referer = urlsplit(request.headers.get("referer", ""))
    path = referer.path
    if not referer.netloc or referer.netloc != request.headers.get("host"):
        return "/"
    if not path.startswith("/") or path.startswith(("//", "/\\")):  # a browser reads those as another site
        return "/"
    if path == request.url.path and request.method == "GET":
        return "/"  # going "back" to the page that failed would only fail again
    return path + (f"?{referer.query}" if referer.query else "")


def _field_name(location: Sequence[Any]) -> str:
    names = [str(part) for part in location[1:] if isinstance(part, str)]
    return names[-1].replace("_", " ").strip() if names else "a value"


def validation_message(error: dict[str, Any]) -> str:
    """One of FastAPI's validation errors in words a person can act on."""
    location = error.get("loc") or ()
    field = _field_name(location)
    in_form = not location or location[0] == "body"
    kind = str(error.get("type", ""))
    if kind == "missing":
        if in_form:
            return f"The form was sent without {field}: fill it in and send it again."
        return f"The page address is missing {field}: go back and follow a link to this page."
    sent = str(error.get("input", ""))
    shown = f"“{sent[:40]}…”" if len(sent) > 40 else f"“{sent}”"
    context = error.get("ctx") if isinstance(error.get("ctx"), dict) else {}
    if kind in EXPECTED:
        expected = EXPECTED[kind]
    elif kind == "enum" and "expected" in context:
        expected = f"one of {context['expected']}"
    else:
        reason = str(error.get("msg", "is not valid")).rstrip(".")
        expected = f"valid ({reason[:1].lower()}{reason[1:]})"
    if in_form:
        return f"The form gave {shown} for {field}, which must be {expected}: correct it and send it again."
    return f"The page address gives {shown} for {field}, which must be {expected}: go back and follow a link."


def signed_in(request: Request) -> Caller | None:
    """The caller whose session this is, so a signed-in person keeps the navigation; None for anyone else."""
    key = request.session.get(web_sessions.COOKIE_KEY) if "session" in request.scope else None
    if not key:
        return None
    try:
        with request.app.state.database.uow() as uow:
            return web_sessions.caller_for_key(uow=uow, key=key)
    except (CarepoolError, SQLAlchemyError):  # the error page must still show when this lookup cannot
        return None


def _page(request: Request, error: CarepoolError, status: int, headers: dict[str, str] | None) -> Response:
    context = {"error": error, "status": status, "back": back_link(request)}
    response = render(request, "error.html", context, caller=signed_in(request), status_code=status)
    response.headers.update(headers or {})
    return response


async def validation_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    messages = list(dict.fromkeys(validation_message(e) for e in exc.errors()))
    if len(messages) == 1:
        error = CarepoolError(messages[0])
    else:
        problems = [Problem(m) for m in messages]
        error = CarepoolError("The form needs correcting before it can be used:", problems=problems)
    return await run_in_threadpool(_page, request, error, 422, None)  # the page may look up the caller


async def http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if wants_json(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    message = STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
    error = CarepoolError(message, kind="not_found" if exc.status_code == 404 else "invalid")
    return await run_in_threadpool(_page, request, error, exc.status_code, exc.headers)


def add_error_pages(app: FastAPI) -> None:
    """Answer FastAPI's own validation errors and HTTP errors (404, 405) with pages where a person asked."""
    app.add_exception_handler(RequestValidationError, validation_error_page)
    app.add_exception_handler(HTTPException, http_error_page)
