"""Cross-site request forgery guard for the pages.

Pages sign in with a session cookie, which a browser sends with any request to carepool, including
a form another site posts. SameSite=Lax stops most of those, but not from a sibling subdomain (the
same "site"), so every state-changing request that rides on the cookie must also carry the session's
random token: a hidden ``csrf_token`` field in each form (``render`` puts it in every page), or an
``X-CSRF-Token`` header for scripts. Bearer-token API calls carry no cookie and are not checked.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from carepool.core.errors import forbidden
from carepool.partners import web_sessions

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/login"
SIGN_IN_PATHS = (LOGIN_PATH, "/register")  # both sign the browser in: a foreign page must not


def token_for(request: Request) -> str:
    """The session's token, made on first use (a page rendered before sign-in has one too)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


class PageToken:
    """The session's token for a page, made only if the page uses it (a form), so a page without forms,
    such as the public open data, sets no cookie."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def __str__(self) -> str:
        return token_for(self._request)

    def __html__(self) -> str:  # what Jinja's autoescape asks for
        return str(self)


async def check_csrf(request: Request) -> None:
    """Refuse a cookie-authenticated unsafe request (and any sign-in) without the session's token."""
    if request.method not in UNSAFE_METHODS or request.headers.get("authorization"):
        return
    route = getattr(request.scope.get("route"), "path", request.url.path)  # the same behind a root path
    if web_sessions.COOKIE_KEY not in request.session and route not in SIGN_IN_PATHS:
        return  # not signed in: the route itself answers "sign in to continue"
    sent = request.headers.get(HEADER)
    if sent is None:
        sent = (await request.form()).get(FORM_FIELD)
    expected = request.session.get(SESSION_KEY)
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise forbidden("this form has expired or did not come from a carepool page: reload the page and try again")
