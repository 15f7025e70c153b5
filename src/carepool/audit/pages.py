"""The audit trail page: your organisation's events, newest first."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from carepool.audit import service
from carepool.audit.api import AUDIT_READERS
from carepool.audit.details import codes_in, details
from carepool.audit.model import AuditEvent
from carepool.db.uow import UnitOfWork
from carepool.partners import access
from carepool.partners import service as partners
from carepool.partners.model import Caller
from carepool.web.deps import UowDep, require
from carepool.web.rendering import render

router = APIRouter(include_in_schema=False)
NAV = (90, "Audit trail", "/audit", AUDIT_READERS)


def events_table(uow: UnitOfWork, events: list[AuditEvent]) -> dict[str, Any]:
    """What ``audit/_events_table.html`` needs to show ``events``: the audit page's, or a shared History's."""
    names = partners.names_of(uow=uow, codes=codes_in(*(e.before for e in events), *(e.after for e in events)))
    return {"events": events, "event_time": service.event_time, "details": partial(details, names=names),
            "people": access.people(uow=uow, actors={e.actor for e in events})}


@router.get("/audit")
def audit_page(
    request: Request, uow: UowDep, caller: Annotated[Caller, Depends(require(*AUDIT_READERS))],
    entity_type: str = "", entity_id: str = "", action: str = "", ref: str = "",
) -> Response:
    filters = {"entity_type": entity_type.strip(), "entity_id": entity_id.strip(), "action": action.strip(),
               "ref": ref.strip()}
    events = service.list_events(uow=uow, organisation=caller.organisation_code, limit=200, **filters)
    return render(request, "audit/events.html",
                  {**events_table(uow, events), "filters": filters}, caller=caller)
