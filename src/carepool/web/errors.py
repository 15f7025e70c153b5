"""Errors FastAPI raises itself (a form sent with a field missing, an unknown address), answered as pages.

A person in a browser gets the error page in plain words, with a link back. The API answers them as it answers
every refusal, ``{"error": ..., "kind": ..., "problems": [...]}`` (``api_error``); files and other clients that
prefer JSON keep FastAPI's own JSON bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from carepool.core.errors import HTTP_STATUS, CarepoolError, Problem
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
    "model_attributes_type": "a JSON object", "model_type": "a JSON object", "dict_type": "a JSON object",
    # carepool's own (procurement/schemas.py)
    "money_text": 'an amount as text, like "23.50" (money travels as text, never as a JSON number)',
    "score_type": "a score from 0 to 100, like 75",
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


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def wants_json(request: Request) -> bool:
    """True for the API, for files (a download or a static asset), and for a client that prefers JSON."""
    path = request.url.path
    if is_api(path) or path.startswith("/static/") or "/download/" in path:
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


def api_error(error: CarepoolError, status: int | None = None, headers: dict[str, str] | None = None) -> Response:
    """A refusal as the API answers every one: the message, its kind, and each problem."""
    body = {"error": error.message, "kind": error.kind, "problems": [str(p) for p in error.problems]}
    return JSONResponse(body, status_code=status or HTTP_STATUS.get(error.kind, 400), headers=headers)


_PLACES = {"query": "query parameter", "path": "path parameter", "header": "header", "cookie": "cookie"}
# How pydantic names the member of a union that refused a value, at the end of its location: ("body", "amount",
# "str") and ("body", "amount", "int") are one field that took neither
_UNION_MEMBER = re.compile(r"str|int|float|bool|bytes|decimal|date|datetime|none|[A-Z]\w*|[\w-]+\[.*\]")


def _api_field(location: Sequence[Any]) -> str:
    """A field as an API caller writes it: price, figures[0].actual, query parameter limit."""
    where, *parts = location or ("body",)
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if where == "body":
        return path or "the request body"
    return f"{_PLACES.get(str(where), str(where))} {path}".strip()


def _fields(errors: Sequence[dict[str, Any]]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """The errors by the field they are about, in order; a union's members' refusals of one value are one field's.
    Two passes, whatever the number of errors: a request is not to cost more than it says."""
    locations = [tuple(e.get("loc") or ()) for e in errors]

    def union_key(error: dict[str, Any], location: tuple[Any, ...]) -> tuple[Any, ...] | None:
        last = location[-1] if len(location) > 2 else None
        if isinstance(last, str) and _UNION_MEMBER.fullmatch(last):
            return location[:-1], repr(error.get("input"))
        return None

    tags: dict[tuple[Any, ...], set[str]] = {}
    for error, location in zip(errors, locations, strict=True):
        if (key := union_key(error, location)) is not None:
            tags.setdefault(key, set()).add(location[-1])
    fields: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for error, location in zip(errors, locations, strict=True):
        key = union_key(error, location)
        if key is not None and len(tags[key]) > 1:  # refused by every member of the union: one field
            location = location[:-1]
        fields.setdefault(location, []).append(error)
    return fields


def _expected(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") if isinstance(error.get("ctx"), dict) else {}
    if kind in EXPECTED:
        return EXPECTED[kind]
    if kind in ("enum", "literal_error") and "expected" in context:
        return f"one of {context['expected']}"
    reason = str(error.get("msg", "is not valid")).rstrip(".")
    return f"a value that fits ({reason[:1].lower()}{reason[1:]})"


def _api_problem(location: tuple[Any, ...], errors: list[dict[str, Any]]) -> str:
    """One field's problem in words for an API caller: what it should hold, and what was sent."""
    field = _api_field(location)
    first = errors[0]
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        reason = (first.get("ctx") or {}).get("error", "")
        return f"the request body is not valid JSON{f' ({reason})' if reason else ''}"
    if kind == "missing":
        return f"{field}: missing; the request must give it" if location[1:] else \
            "the request body: missing; send a JSON object"
    if kind == "extra_forbidden":
        return f"{field}: not a field this request takes"
    expected = " or ".join(dict.fromkeys(_expected(e) for e in errors))
    sent = json.dumps(first.get("input"), ensure_ascii=False, default=str)
    return f"{field}: expected {expected}, got {sent if len(sent) <= 40 else sent[:39] + '…'}"


MOST_PROBLEMS = 50  # a request with more is told of the first ones and how many more there are


def api_validation_error(errors: Sequence[dict[str, Any]]) -> CarepoolError:
    """FastAPI's validation errors as one refusal: one problem for each field (the first ``MOST_PROBLEMS``), the
    message naming them."""
    fields = _fields(errors)
    problems = [_api_problem(location, found) for location, found in list(fields.items())[:MOST_PROBLEMS]]
    if len(fields) > MOST_PROBLEMS:
        problems.append(f"… and {len(fields) - MOST_PROBLEMS:,} more fields with a problem")
    if len(fields) == 1:
        return CarepoolError(problems[0], problems=[Problem(problems[0])])
    names = [_api_field(location) for location in list(fields)[:10]]
    more = f" and {len(fields) - 10:,} more" if len(fields) > 10 else ""
    return CarepoolError(f"the request has {len(fields):,} problems (each in problems): {', '.join(names)}{more}",
                         problems=[Problem(p) for p in problems])


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
    if is_api(request.url.path):  # off the event loop: a request with many errors takes a while to word
        return api_error(await run_in_threadpool(api_validation_error, exc.errors()), 422)
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    messages = list(dict.fromkeys(validation_message(e) for e in exc.errors()))
    if len(messages) == 1:
        error = CarepoolError(messages[0])
    else:
        problems = [Problem(m) for m in messages]
        error = CarepoolError("The form needs correcting before it can be used:", problems=problems)
    return await run_in_threadpool(_page, request, error, 422, None)  # the page may look up the caller


def _api_http_error(request: Request, exc: HTTPException) -> CarepoolError:
    path = request.url.path
    if exc.status_code == 404:
        return CarepoolError(f"there is nothing at {path}: the API's addresses are listed at /api/docs",
                             kind="not_found")
    if exc.status_code == 405:
        allowed = next((v for k, v in (exc.headers or {}).items() if k.lower() == "allow"), "")
        return CarepoolError(f"{path} does not take {request.method}" + (f"; it takes {allowed}" if allowed else ""),
                             kind="not_allowed")
    return CarepoolError(str(exc.detail), kind="too_large" if exc.status_code == 413 else "invalid")


async def http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if is_api(request.url.path) and exc.status_code >= 400:
        error = _api_http_error(request, exc)  # a body that cannot be read (400) did not validate: 422, as the rest
        return api_error(error, 422 if exc.status_code == 400 else exc.status_code, exc.headers)
    if wants_json(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    message = STATUS_MESSAGES.get(exc.status_code, str(exc.detail))
    error = CarepoolError(message, kind="not_found" if exc.status_code == 404 else "invalid")
    return await run_in_threadpool(_page, request, error, exc.status_code, exc.headers)


REFUSAL_SCHEMA = {
    "title": "Refusal", "type": "object", "required": ["error", "kind", "problems"],
    "properties": {
        "error": {"type": "string", "description": "What is wrong, in words: the field and what it should hold"},
        "kind": {"type": "string", "description": "invalid, not_found, forbidden, conflict, unauthenticated, ..."},
        "problems": {"type": "array", "items": {"type": "string"},
                     "description": "Each problem, when there are several: one for each field, or each row of a file"},
    },
}


def document_refusals(app: FastAPI) -> None:
    """The API's description says a refused request (422) comes back as the API answers it, not as FastAPI's."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            text = json.dumps(generate()).replace('"#/components/schemas/HTTPValidationError"',
                                                  '"#/components/schemas/Refusal"')
            schema = json.loads(text)
            schemas = schema.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            schemas["Refusal"] = REFUSAL_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_error_pages(app: FastAPI) -> None:
    """Answer FastAPI's own validation errors and HTTP errors (404, 405) with pages where a person asked, and as
    every other refusal on the API."""
    app.add_exception_handler(RequestValidationError, validation_error_page)
    app.add_exception_handler(HTTPException, http_error_page)
    document_refusals(app)
