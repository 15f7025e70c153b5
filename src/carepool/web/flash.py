"""One-off messages, and a refused form's typed values, carried to the next page in the session; ``attempt`` runs a
form's action and says how it went on the page it redirects to.

The session lives in a signed cookie, and a browser silently drops a cookie over 4 KB,
and with it the message and anything else the session was carrying. So a message is
cut to a size that always fits, typed values are kept only when they fit, and what follows
a redirect keeps ids, never whole records.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse

from carepool.core.errors import CarepoolError

MOST_CHARACTERS = 1_200
MOST_TYPED = 1_500  # characters of JSON


def flash(request: Request, message: str, kind: str = "notice", *, to: str) -> None:
    """Say ``message`` on the page at ``to`` (where the caller redirects; ``kind`` is ``notice``, ``warning`` (done,
    but check something) or ``error``).

    Tied to that page, so a message is never shown on another (a second tab, another pool or tender)."""
    if len(message) > MOST_CHARACTERS:
        cut = message.rfind("\n", 0, MOST_CHARACTERS)
        message = (message[: cut if cut > 0 else MOST_CHARACTERS]
                   + "\n  ... and more: put these right and try again to see the rest")
    request.session["flash"] = {"message": message, "kind": kind, "to": urlsplit(to).path}


def take_flash(request: Request) -> dict[str, Any] | None:
    """The message left for this page, if any (it is shown once)."""
    said = request.session.get("flash")
    if said is None or said.get("to") not in (None, request.url.path):
        return None
    return request.session.pop("flash")


def keep_typed(request: Request, form: str, typed: dict[str, Any]) -> bool:
    """What was typed into the refused ``form``, for the page to show it again; left out if it would not fit (and
    then nothing an earlier refusal kept stays in its place). Whether it was kept."""
    request.session.pop(f"typed:{form}", None)
    if len(json.dumps(typed)) >= MOST_TYPED:
        return False
    request.session[f"typed:{form}"] = typed
    return True


def typed_back(request: Request, form: str) -> dict[str, Any] | None:
    """What was typed into ``form`` before it was refused, if kept (it is shown once)."""
    return request.session.pop(f"typed:{form}", None)


def attempt(request: Request, action: Callable[[], Any], done: str, back: str,
            keep: tuple[str, dict[str, Any]] | None = None) -> RedirectResponse:
    """Run a service call; on a CarepoolError say why on the page we came from (and ``keep`` what was typed into
    that form, ``(form, typed)``), else say what was done (``done``, or the words the action returns, or
    ``(words, "warning")`` for done-but-check)."""
    try:
        said = action()
    except CarepoolError as error:
        if keep is not None:
            keep_typed(request, *keep)
        flash(request, str(error), "error", to=back)
        return RedirectResponse(back, status_code=303)
    words, kind = said if isinstance(said, tuple) else (said if isinstance(said, str) else done, "notice")
    flash(request, words, kind, to=back)
    return RedirectResponse(back, status_code=303)
