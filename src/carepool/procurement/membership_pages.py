"""Consortium membership from the pages: a procurement user starts a consortium, its lead invites or withdraws an
invitation, and an invited organisation joins or declines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from carepool.audit.pages import events_table
from carepool.core.errors import CarepoolError
from carepool.partners import service as partners
from carepool.procurement import consortia
from carepool.web.deps import CallerDep, RowId, UowDep
from carepool.web.flash import attempt, flash, keep_typed
from carepool.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.post("/tenders/consortia/{consortium_id}/accept")
def accept(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    def act() -> str:
        joined = consortia.accept(uow=uow, caller=caller, consortium_id=consortium_id)
        return f"{caller.organisation_name} has joined {joined.name}; its lead can now state your demand."
    return attempt(request, act, "", "/tenders")


@router.post("/tenders/consortia/{consortium_id}/decline")
def decline(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    def act() -> str:
        name = consortia.decline(uow=uow, caller=caller, consortium_id=consortium_id)
        return (f"Declined: {caller.organisation_name} is not a member of {name}; its lead sees the answer in its "
                "audit trail.")
    return attempt(request, act, "", "/tenders")


@router.get("/tenders/plan/{consortium_id}/history")
def history(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    events = consortia.history(uow=uow, caller=caller, consortium_id=consortium_id)
    consortium = consortia.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id)
    return render(request, "procurement/consortium_history.html", {
        "consortium": consortium, "flash": None, **events_table(uow, events)}, caller=caller)


@router.post("/tenders/consortia")
def start(request: Request, caller: CallerDep, uow: UowDep, name: Annotated[str, Form()] = "",
          members: Annotated[list[str] | None, Form()] = None) -> Response:
    """A new consortium led by the caller's organisation; those ticked are invited. Its lot plan opens next."""
    try:
        made = consortia.create_consortium(uow=uow, caller=caller, name=name, members=members or [])
    except CarepoolError as error:
        keep_typed(request, "consortium", {"name": name[:120], "members": (members or [])[:40]})
        flash(request, str(error), "error", to="/tenders")
        return RedirectResponse("/tenders", status_code=303)
    invited = ", ".join(n for _, n in made.invited)
    to = f"/tenders/plan/{made.id}"
    flash(request, f"{made.name} is started, led by {caller.organisation_name}"
          + (f"; invited: {invited}. Each joins when one of its own users accepts." if invited else "."), to=to)
    return RedirectResponse(to, status_code=303)


@router.post("/tenders/plan/{consortium_id}/invite")
def invite(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
           members: Annotated[list[str] | None, Form()] = None) -> Response:
    def act() -> str:
        view = consortia.invite(uow=uow, caller=caller, consortium_id=consortium_id, members=members or [])
        asked = [name for code, name in view.invited if code in {m.strip().upper() for m in members or []}]
        return f"Invited {', '.join(asked)}: each joins when one of its own users accepts."
    return attempt(request, act, "", f"/tenders/plan/{consortium_id}")


@router.post("/tenders/plan/{consortium_id}/invitations/{member}/withdraw")
def withdraw(request: Request, consortium_id: RowId, member: str, caller: CallerDep, uow: UowDep) -> Response:
    def act() -> str:
        view = consortia.withdraw(uow=uow, caller=caller, consortium_id=consortium_id, member=member)
        name = partners.get_organisation(uow=uow, code=member).name
        return f"The invitation of {name} to {view.name} is withdrawn."
    return attempt(request, act, "", f"/tenders/plan/{consortium_id}")
