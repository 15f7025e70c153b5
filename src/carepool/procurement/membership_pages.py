"""Answering a consortium's invitation from the procurement page: join, or decline."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from carepool.procurement import consortia
from carepool.web.deps import CallerDep, RowId, UowDep
from carepool.web.flash import attempt

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
