"""The shell's pages: sign in, sign out, the home dashboard, the open data index."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from carepool.core.errors import HTTP_STATUS, CarepoolError
from carepool.partners import service, throttle
from carepool.partners.model import Role
from carepool.web.deps import CallerDep, UowDep, begin_session, client_address, end_session
from carepool.web.rendering import render

router = APIRouter(include_in_schema=False)
NAV = (95, "Open data", "/open-data")


def _safe_next(target: str | None) -> str:
    """Only ever redirect within this site after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None,
                                          "open_registration": request.app.state.settings.open_registration})


@router.post("/login")
def login(
    request: Request, uow: UowDep, email: Annotated[str, Form()], password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        caller = throttle.sign_in(uow=uow, email=email, password=password, client=client_address(request))
    except CarepoolError as error:
        context = {"next": _safe_next(next), "error": error.message, "email": email,
                   "open_registration": request.app.state.settings.open_registration}
        return render(request, "login.html", context, status_code=HTTP_STATUS.get(error.kind, 401))
    begin_session(request, uow, caller)
    target = _safe_next(next)
    if target == "/" and caller.has(Role.PROVIDER):  # a provider comes to bid: its tenders, not the dashboard
        target = "/tenders"
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, uow: UowDep) -> Response:
    end_session(request, uow)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    return render(request, "dashboard.html", {"dashboard": service.dashboard(uow=uow),
                                              "sees_providers": service.sees_providers(caller)}, caller=caller)


@router.get("/open-data")
def open_data(request: Request) -> Response:
    """What anyone may download without signing in (each feature serves its own files under /open-data/)."""
    return render(request, "open_data.html")
