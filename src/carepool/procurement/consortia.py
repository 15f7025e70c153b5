"""A consortium and its members: the lead creates it and invites, and each invited organisation's own users
accept or decline.

Being a member makes an organisation a buyer: its demand goes into the lots, and the tender and its open data
name it. So only the organisation itself can say yes, and until it does it sees the invitation (the
consortium's name, its lead and who has joined) and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import delete, select

from carepool.audit import service as audit
from carepool.audit.model import AuditEvent
from carepool.core.errors import CarepoolError, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.partners.model import Caller, OrgKind, Role
from carepool.procurement.access import consortium_for, member_codes
from carepool.procurement.model import MOST_CONSORTIUM_NAME, from_cents
from carepool.procurement.tables import ConsortiumMemberRow, ConsortiumRow


@dataclass(frozen=True)
class ConsortiumView:
    id: int
    name: str
    lead_code: str
    members: tuple[tuple[str, str], ...]  # (code, name) of those that have joined
    sme_threshold: Decimal | None  # stated; None: median SME capacity
    invited: tuple[tuple[str, str], ...] = ()  # (code, name) of those invited that have not yet accepted

    @property
    def lead_name(self) -> str:
        return dict(self.members).get(self.lead_code, self.lead_code)  # the lead is always a member


def consortium_view(uow: UnitOfWork, row: ConsortiumRow) -> ConsortiumView:
    names = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    return ConsortiumView(row.id, row.name, row.lead_code,
                          tuple((code, names.get(code, code)) for code in member_codes(uow, row.id)),
                          from_cents(row.sme_threshold_cents),
                          tuple((code, names.get(code, code)) for code in member_codes(uow, row.id, joined=False)))


BUYERS = (OrgKind.LOCAL_AUTHORITY, OrgKind.NHS_COMMISSIONER)


def _buyers(uow: UnitOfWork, codes: Iterable[str]) -> None:
    for code in codes:
        org = partners.get_organisation(uow=uow, code=code)
        if org.kind not in BUYERS:
            raise CarepoolError(f"{org.name} ({code}) is a {org.kind.label.lower()}; consortium members buy care, "
                                "so they are councils or NHS commissioners")


def _invite(uow: UnitOfWork, caller: Caller, row: ConsortiumRow, codes: list[str]) -> None:
    """Invitations, each in the lead's trail and in the invited organisation's own, so it sees who named it."""
    uow.session.add_all(ConsortiumMemberRow(consortium_id=row.id, organisation_code=c) for c in codes)
    for code in codes:
        audit.record(uow=uow, actor=caller.actor, organisation=code, action="consortium.invited",
                     entity_type="consortium", entity_id=str(row.id),
                     after={"name": row.name, "lead": row.lead_code})


def create_consortium(*, uow: UnitOfWork, caller: Caller, name: str, members: Iterable[str]) -> ConsortiumView:
    """A consortium led by the caller's organisation, its first member. The others named (councils or NHS
    commissioners) are invited: each is a member once one of its own users accepts (``accept``), so no
    organisation is made a buyer, or has demand stated for it, without its agreement."""
    caller.require(Role.PROCUREMENT)
    codes = sorted({m.strip().upper() for m in members if m.strip()} | {caller.organisation_code})
    _buyers(uow, codes)
    if not name.strip():
        raise CarepoolError("give the consortium a name")
    if len(name.strip()) > MOST_CONSORTIUM_NAME:
        raise CarepoolError(f"a consortium's name is at most {MOST_CONSORTIUM_NAME} characters; this one has "
                            f"{len(name.strip()):,}")
    if uow.session.execute(select(ConsortiumRow).where(ConsortiumRow.name == name.strip())).first():
        raise CarepoolError(f"a consortium called {name.strip()!r} already exists", kind="conflict")
    row = ConsortiumRow(name=name.strip(), lead_code=caller.organisation_code, created_at=uow.now())
    uow.session.add(row)
    uow.session.flush()
    invited = [c for c in codes if c != caller.organisation_code]
    uow.session.add(ConsortiumMemberRow(consortium_id=row.id, organisation_code=caller.organisation_code,
                                        joined_at=row.created_at))
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="consortium.created",
                 entity_type="consortium", entity_id=str(row.id),
                 after={"name": row.name, "members": [caller.organisation_code], "invited": invited})
    _invite(uow, caller, row, invited)
    uow.commit()
    return consortium_view(uow, row)


def invite(*, uow: UnitOfWork, caller: Caller, consortium_id: int, members: Iterable[str]) -> ConsortiumView:
    """The lead invites more councils or NHS commissioners, after creating the consortium or after one declined.
    Each joins only when one of its own users accepts, as the first ones did."""
    row = consortium_for(uow, caller, consortium_id, manage=True)  # its lead's procurement team
    codes = sorted({m.strip().upper() for m in members if m.strip()})
    if not codes:
        raise CarepoolError("tick at least one organisation to invite (API: their codes in members, e.g. "
                            "[\"E09000009\"])")
    _buyers(uow, codes)
    joined, invited = set(member_codes(uow, row.id)), set(member_codes(uow, row.id, joined=False))
    names = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    problems = [f"{names[c]} is already a member of {row.name}" for c in codes if c in joined] + [
        f"{names[c]} has already been invited to {row.name} and has yet to answer" for c in codes if c in invited]
    if problems:
        raise CarepoolError("; ".join(problems) + "; nobody was invited", kind="conflict")
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="consortium.invitations",
                 entity_type="consortium", entity_id=str(row.id), after={"name": row.name, "invited": codes})
    _invite(uow, caller, row, codes)
    uow.commit()
    return consortium_view(uow, row)


def withdraw(*, uow: UnitOfWork, caller: Caller, consortium_id: int, member: str) -> ConsortiumView:
    """The lead takes back an invitation not yet answered (a member that has joined stays one)."""
    row = consortium_for(uow, caller, consortium_id, manage=True)  # its lead's procurement team
    code = member.strip().upper()
    pending = uow.session.execute(
        select(ConsortiumMemberRow).where(ConsortiumMemberRow.consortium_id == row.id,
                                          ConsortiumMemberRow.organisation_code == code,
                                          ConsortiumMemberRow.joined_at.is_(None)).with_for_update()
    ).scalar_one_or_none()
    if pending is None:
        raise not_found(f"an unanswered invitation of {code} to {row.name}")
    uow.session.execute(delete(ConsortiumMemberRow).where(ConsortiumMemberRow.id == pending.id))
    for organisation in sorted({caller.organisation_code, code}):  # the invited one sees it taken back
        audit.record(uow=uow, actor=caller.actor, organisation=organisation, action="consortium.invitation_withdrawn",
                     entity_type="consortium", entity_id=str(row.id), after={"name": row.name, "member": code})
    uow.commit()
    return consortium_view(uow, row)


def _buyers_but(uow: UnitOfWork, taken: set[str]) -> list[tuple[str, str]]:
    return [(o.code, o.name) for o in partners.list_organisations(uow=uow) if o.kind in BUYERS and o.code not in taken]


def may_start(caller: Caller) -> bool:
    """A procurement user at a council or NHS commissioner may start a consortium its organisation leads."""
    return caller.has(Role.PROCUREMENT) and caller.organisation_kind in BUYERS


def buyers_besides(*, uow: UnitOfWork, caller: Caller) -> list[tuple[str, str]]:
    """(code, name) of the councils and NHS commissioners a new consortium led by the caller could invite."""
    return _buyers_but(uow, {caller.organisation_code})


def can_be_invited(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> list[tuple[str, str]]:
    """(code, name) of the councils and NHS commissioners neither members nor invited: the lead's choice."""
    consortium_for(uow, caller, consortium_id)
    return _buyers_but(uow, set(member_codes(uow, consortium_id)) | set(member_codes(uow, consortium_id, joined=False)))


def list_consortia(*, uow: UnitOfWork, caller: Caller) -> list[ConsortiumView]:
    rows = uow.session.execute(
        select(ConsortiumRow).join(ConsortiumMemberRow, ConsortiumMemberRow.consortium_id == ConsortiumRow.id)
        .where(ConsortiumMemberRow.organisation_code == caller.organisation_code,
               ConsortiumMemberRow.joined_at.is_not(None)).order_by(ConsortiumRow.name))
    return [consortium_view(uow, row) for row in rows.scalars()]


def get_consortium(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> ConsortiumView:
    return consortium_view(uow, consortium_for(uow, caller, consortium_id))


def history(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> list[AuditEvent]:
    """What every member did to the consortium (invitations, joins, demand, lots), newest first: so a member sees
    the demand its lead stated for it, and the lead sees who joined. Members only."""
    consortium_for(uow, caller, consortium_id)
    return without_copies(audit.record_history(uow=uow, records=[("consortium", str(consortium_id))],
                                               by=member_codes(uow, consortium_id)))


# Events that copy another organisation's action into an organisation's own trail (demand stated for a member, an
# invitation the lead sent): a shared history shows the action once, as its author recorded it
TRAIL_COPIES = frozenset({"demand.stated_for_member", "consortium.invited"})


def without_copies(events: list[AuditEvent]) -> list[AuditEvent]:
    return [e for e in events if e.action not in TRAIL_COPIES]


# Joining commits the organisation's money to a joint purchase: anyone but a viewer may answer for it
ANSWERING_ROLES = (Role.COMMISSIONER, Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)


def invitations(*, uow: UnitOfWork, caller: Caller) -> list[ConsortiumView]:
    """The consortia that have invited the caller's organisation and await its answer."""
    rows = uow.session.execute(
        select(ConsortiumRow).join(ConsortiumMemberRow, ConsortiumMemberRow.consortium_id == ConsortiumRow.id)
        .where(ConsortiumMemberRow.organisation_code == caller.organisation_code,
               ConsortiumMemberRow.joined_at.is_(None)).order_by(ConsortiumRow.name))
    # what the invited organisation sees: the consortium's name, its lead and who has joined, not who else was asked
    return [replace(consortium_view(uow, row), invited=(), sme_threshold=None) for row in rows.scalars()]


def _invitation(uow: UnitOfWork, caller: Caller, consortium_id: int) -> tuple[ConsortiumRow, ConsortiumMemberRow]:
    row = uow.session.get(ConsortiumRow, consortium_id)
    membership = None if row is None else uow.session.execute(
        select(ConsortiumMemberRow).where(ConsortiumMemberRow.consortium_id == consortium_id,
                                          ConsortiumMemberRow.organisation_code == caller.organisation_code)
        .with_for_update()).scalar_one_or_none()
    if row is None or membership is None:  # the same words whether it never was, was answered or was withdrawn
        raise CarepoolError(f"no invitation to consortium {consortium_id} is waiting for {caller.organisation_name}'s "
                            "answer: it was answered already, or withdrawn by the consortium's lead", kind="not_found")
    if membership.joined_at is not None:
        raise CarepoolError(f"{caller.organisation_name} is already a member of {row.name}", kind="conflict")
    if not caller.has(*ANSWERING_ROLES):
        raise CarepoolError(f"only a commissioner, procurement, finance or admin user at {caller.organisation_name} "
                            f"can answer the invitation to {row.name}", kind="forbidden")
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
