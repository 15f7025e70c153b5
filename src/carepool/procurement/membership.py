"""Joining a consortium: the lead invites, and each invited organisation's own users accept or decline.

Being a member makes an organisation a buyer: its demand goes into the lots, and the tender and its open data
name it. So only the organisation itself can say yes, and until it does it sees the invitation (the
consortium's name, its lead and who has joined) and nothing else.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller, Role
from carepool.procurement.service import ConsortiumView, consortium_view
from carepool.procurement.tables import ConsortiumMemberRow, ConsortiumRow

# Joining commits the organisation's money to a joint purchase: anyone but a viewer may answer for it
ANSWERING_ROLES = (Role.COMMISSIONER, Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)


def invitations(*, uow: UnitOfWork, caller: Caller) -> list[ConsortiumView]:
    """The consortia that have invited the caller's organisation and await its answer."""
    rows = uow.session.execute(
        select(ConsortiumRow).join(ConsortiumMemberRow, ConsortiumMemberRow.consortium_id == ConsortiumRow.id)
        .where(ConsortiumMemberRow.organisation_code == caller.organisation_code,
               ConsortiumMemberRow.joined_at.is_(None)).order_by(ConsortiumRow.name))
    return [consortium_view(uow, row) for row in rows.scalars()]


def _invitation(uow: UnitOfWork, caller: Caller, consortium_id: int) -> tuple[ConsortiumRow, ConsortiumMemberRow]:
    row = uow.session.get(ConsortiumRow, consortium_id)
    membership = None if row is None else uow.session.execute(
        select(ConsortiumMemberRow).where(ConsortiumMemberRow.consortium_id == consortium_id,
                                          ConsortiumMemberRow.organisation_code == caller.organisation_code)
        .with_for_update()).scalar_one_or_none()
    if row is None or membership is None:
        raise not_found(f"invitation to consortium {consortium_id}")
    if membership.joined_at is not None:
        raise CarepoolError(f"{caller.organisation_code} is already a member of {row.name}", kind="conflict")
    caller.require(*ANSWERING_ROLES)
    return row, membership


def accept(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> ConsortiumView:
    """The caller's organisation joins: from now on its demand may be stated, and its tenders name it a buyer."""
    row, membership = _invitation(uow, caller, consortium_id)
    membership.joined_at = uow.now()
    # In the member's own trail; the consortium's history (every member's events) shows it to the lead
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="consortium.joined",
                 entity_type="consortium", entity_id=str(row.id),
                 after={"name": row.name, "member": caller.organisation_code})
    uow.commit()
    return consortium_view(uow, row)


def decline(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> str:
    """The caller's organisation says no: the invitation goes, and the lead's trail says who declined. Returns
    the consortium's name."""
    row, membership = _invitation(uow, caller, consortium_id)
    uow.session.execute(delete(ConsortiumMemberRow).where(ConsortiumMemberRow.id == membership.id))
    for organisation in sorted({caller.organisation_code, row.lead_code}):  # no longer a member: in both trails
        audit.record(uow=uow, actor=caller.actor, organisation=organisation, action="consortium.declined",
                     entity_type="consortium", entity_id=str(row.id),
                     after={"name": row.name, "member": caller.organisation_code})
    uow.commit()
    return row.name
