"""Who may see and do what in procurement: one place for the checks every service uses.

- Members of a consortium (any role) see its demand, lots and tenders; only the lead organisation's
  procurement team changes them (lots, thresholds, tenders, the award). Another member states its own
  demand only, through its commissioner or procurement users. An organisation the lead names is only
  invited until one of its own users accepts: until then it sees the invitation and nothing else, and no
  demand is stated for it.
- Anyone signed in sees a tender once it is published (it is public information), but
  never bid contents: those are unsealed only by the opening step, after the deadline,
  and then shown to the consortium's members; a provider sees its own bids, always.
- Anything a caller may not see answers "not found", so its existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from carepool.core.errors import CarepoolError, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.partners.model import Caller, Role
from carepool.procurement.model import TenderStatus
from carepool.procurement.tables import ConsortiumMemberRow, ConsortiumRow, TenderRow

PUBLIC_STATUSES = frozenset(TenderStatus) - {TenderStatus.DRAFT}


def is_public(row: TenderRow) -> bool:
    """Seen by anyone signed in: a tender once published (a draft cancelled before publishing never was)."""
    return TenderStatus(row.status) in PUBLIC_STATUSES and row.published_at is not None


def public_tenders() -> ColumnElement[bool]:
    """``is_public`` as a query's condition."""
    return TenderRow.status.in_([s.value for s in PUBLIC_STATUSES]) & TenderRow.published_at.is_not(None)


def member_codes(uow: UnitOfWork, consortium_id: int, *, joined: bool = True) -> list[str]:
    """The organisations that have joined the consortium (``joined=False``: those invited, not yet accepted)."""
    accepted = ConsortiumMemberRow.joined_at.is_not(None)
    rows = uow.session.execute(
        select(ConsortiumMemberRow.organisation_code).where(ConsortiumMemberRow.consortium_id == consortium_id,
                                                            accepted if joined else ~accepted)
        .order_by(ConsortiumMemberRow.organisation_code))
    return list(rows.scalars())


def is_member(uow: UnitOfWork, caller: Caller, consortium_id: int) -> bool:
    return caller.organisation_code in member_codes(uow, consortium_id)


def manages(caller: Caller, lead_code: str) -> bool:
    """Whether the caller runs the consortium led by ``lead_code``: its lead's procurement team."""
    return caller.organisation_code == lead_code and caller.has(Role.PROCUREMENT)


def require_lead(uow: UnitOfWork, caller: Caller, row: ConsortiumRow) -> None:
    caller.require(Role.PROCUREMENT)
    if caller.organisation_code != row.lead_code:
        lead = partners.get_organisation(uow=uow, code=row.lead_code).name
        raise CarepoolError(f"only the lead of {row.name}, {lead}, changes its members, lots, thresholds and "
                            f"tenders (through its procurement team); {caller.organisation_name} states its own "
                            "demand", kind="forbidden")


def consortium_for(uow: UnitOfWork, caller: Caller, consortium_id: int, *, manage: bool = False) -> ConsortiumRow:
    """A consortium the caller's organisation belongs to (``manage``: the lead's procurement team)."""
    row = uow.session.get(ConsortiumRow, consortium_id)
    if row is None or not is_member(uow, caller, consortium_id):
        raise not_found(f"consortium {consortium_id}")
    if manage:
        require_lead(uow, caller, row)
    return row


def tender_for(uow: UnitOfWork, caller: Caller, ref: str, *, manage: bool = False,
               lock: bool = False) -> tuple[TenderRow, bool]:
    """The tender and whether the caller is a member of its consortium.

    Tenders never published are visible to members only; ``manage`` needs the lead's procurement team.
    """
    query = select(TenderRow).where(TenderRow.ref == ref.strip().upper())
    if lock:
        query = query.with_for_update()
    row = uow.session.execute(query).scalar_one_or_none()
    if row is None:
        raise not_found(f"tender {ref}")
    member = is_member(uow, caller, row.consortium_id)
    if not member and (manage or not is_public(row)):
        raise not_found(f"tender {ref}")
    if manage:
        require_lead(uow, caller, uow.session.get(ConsortiumRow, row.consortium_id))  # type: ignore[arg-type]
    return row, member


def require_provider(caller: Caller) -> None:
    if not caller.has(Role.PROVIDER):
        raise CarepoolError("only a provider's users can do this (it needs the provider role)", kind="forbidden")
