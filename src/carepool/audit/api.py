"""JSON routes under /api/audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from carepool.audit import service
from carepool.partners.model import Caller, Role
from carepool.web.deps import UowDep, require

router = APIRouter(prefix="/api/audit", tags=["audit"])
AUDIT_READERS = (Role.ADMIN, Role.FINANCE, Role.COMMISSIONER)


class AuditEventRead(BaseModel):
    ref: str  # the start of the event's chain hash (its chain number would count every organisation's events)
    at: datetime
    actor: str
    organisation: str | None
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any


@router.get("/events")
def list_events(
    uow: UowDep, caller: Annotated[Caller, Depends(require(*AUDIT_READERS))],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    entity_type: str | None = None, entity_id: str | None = None, action: str | None = None, ref: str | None = None,
) -> list[AuditEventRead]:
    """The newest audit events of the caller's own organisation; optionally one kind of record
    (``entity_type=tender``), one record (and ``entity_id=CP-2026-001``) or one action (``tender.published``,
    or ``tender.`` for the family), or the one event a ``ref`` names."""
    events = service.list_events(uow=uow, organisation=caller.organisation_code, limit=limit,
                                 entity_type=entity_type, entity_id=entity_id, action=action, ref=ref)
    return [AuditEventRead.model_validate(e, from_attributes=True) for e in events]
