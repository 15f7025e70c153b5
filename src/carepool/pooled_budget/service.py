"""Stored Section 75 agreements: read them, who may see and change them, the ledger chart.

Every use case takes ``by``: a signed-in ``Caller`` (web and API) or an ``Operator``
(the command line, which holds the database). A caller sees only agreements its
organisation is a partner of — any other answers "not found" — and changes need
the commissioner or finance role. Use cases commit their own unit of work.
An agreement is proposed, then accepted by every partner (``agreeing``); nothing is
recorded against it until then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.audit.model import AuditEvent
from carepool.core.errors import conflict, forbidden, not_found
from carepool.core.jsonfile import parse_json
from carepool.core.money import Money
from carepool.core.periods import FinancialYear
from carepool.core.words import joined, with_verb
from carepool.db.uow import UnitOfWork
from carepool.ledger import beancount
from carepool.partners.model import Caller, Role
from carepool.pooled_budget import consent
from carepool.pooled_budget.consent import Decision
from carepool.pooled_budget.definition import PoolDefinition
from carepool.pooled_budget.io import rule_from_json
from carepool.pooled_budget.model import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementStatus,
    Contingency,
    Partner,
    Scheme,
)
from carepool.pooled_budget.tables import (
    PoolAgreementDecisionRow,
    PoolAgreementRow,
    PoolContributionRow,
    PoolPartnerRow,
    PoolSchemeRow,
)

WRITE_ROLES = (Role.COMMISSIONER, Role.FINANCE)
PROPOSED, ACTIVE, DECLINED, SETTLED = (AgreementStatus.PROPOSED, AgreementStatus.ACTIVE, AgreementStatus.DECLINED,
                                       AgreementStatus.SETTLED)
AGREED = (ACTIVE, SETTLED)  # every partner accepted it: it has ledger accounts and is on the register


@dataclass(frozen=True)
class Operator:
    """Someone at the command line: they hold the database, so they may see and change every agreement."""

    actor: str


Who = Caller | Operator


class Chart:
    """The ledger accounts of one agreement (all owned by the host); see docs/pooled-budgets.md."""

    def __init__(self, agreement_id: int) -> None:
        self.prefix = f"POOL-{agreement_id}"

    @property
    def bank(self) -> str:
        return f"{self.prefix}:Bank"

    @property
    def creditors(self) -> str:
        return f"{self.prefix}:Creditors"

    def due(self, partner: str) -> str:
        return f"{self.prefix}:Due:{partner}"

    def contributions(self, partner: str) -> str:
        return f"{self.prefix}:Contributions:{partner}"

    def risk_share(self, partner: str) -> str:
        return f"{self.prefix}:Risk-share:{partner}"

    def settlement(self, partner: str) -> str:
        return f"{self.prefix}:Settlement:{partner}"

    def spend(self, part: str) -> str:
        return f"{self.prefix}:Spend:{part}"


@dataclass(frozen=True)
class StoredAgreement:
    id: int
    definition: PoolDefinition
    status: str
    created_at: datetime
    created_by: str
    spend_accounts: Mapping[str, str]  # scheme id -> ledger account code
    scheme_rows: Mapping[str, int]  # scheme id -> row id
    decisions: tuple[Decision, ...] = ()  # each partner's acceptance (or refusal) of the proposed agreement

    @property
    def agreement(self) -> Agreement:
        return self.definition.agreement

    @property
    def chart(self) -> Chart:
        return Chart(self.id)

    @property
    def host(self) -> str:
        return self.agreement.host

    @property
    def settled(self) -> bool:
        return self.status == SETTLED

    @property
    def proposed(self) -> bool:
        return self.status == PROPOSED

    @property
    def agreed(self) -> bool:
        """Every partner accepted it: its accounts are open and it is on the public register."""
        return self.status in AGREED

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The partners (codes) yet to accept a proposed agreement; none once it is decided."""
        return consent.waiting_for(self.agreement.codes, self.decisions) if self.proposed else ()

    @property
    def declined_by(self) -> Decision | None:
        return next((d for d in self.decisions if d.decision == consent.AGREEMENT.no), None)

    def names(self, codes: Sequence[str]) -> str:
        """Partners by name, as words: "A", "A and B", "A, B and C"."""
        return joined([self.agreement.partner_name(code) for code in codes])

    def names_then(self, codes: Sequence[str], singular: str, plural: str) -> str:
        """Partners by name and a verb that agrees: "B approves", "B and C approve"."""
        return with_verb([self.agreement.partner_name(code) for code in codes], singular, plural)

    @property
    def budget(self) -> Money:
        return Money.sum(s.budget for s in self.agreement.schemes)

    def scheme(self, scheme_id: str) -> Scheme:
        for scheme in self.agreement.schemes:
            if scheme.id == scheme_id:
                return scheme
        raise not_found(f"scheme {scheme_id} of agreement {self.id}")


def organisation_of(by: Who, stored: StoredAgreement) -> str:
    """The organisation an action is recorded against: the caller's, or the host's for operators."""
    return by.organisation_code if isinstance(by, Caller) else stored.host


def require_writer(stored: StoredAgreement, by: Who) -> None:
    if isinstance(by, Caller):
        by.require(*WRITE_ROLES)


def require_host(stored: StoredAgreement, by: Who, what: str) -> None:
    require_writer(stored, by)
    if isinstance(by, Caller) and by.organisation_code != stored.host:
        raise forbidden(f"only the host, {stored.agreement.partner_name(stored.host)}, {what}")


def move_status(row: PoolAgreementRow, to: AgreementStatus) -> None:
    """Change a stored agreement's status along one of the moves ``AGREEMENT_TRANSITIONS`` allows."""
    now = AgreementStatus(row.status)
    if to not in AGREEMENT_TRANSITIONS[now]:
        raise conflict(f"agreement {row.id} is {now}; it cannot become {to} (from {now}: "
                       f"{', '.join(AGREEMENT_TRANSITIONS[now]) or 'no other status'})")
    row.status = to.value


def require_agreed(stored: StoredAgreement) -> None:
    """Nothing is recorded against an agreement until every partner has accepted it."""
    a = stored.agreement
    if stored.proposed:
        raise conflict(f"{a.name} ({a.year}) is proposed: waiting for {stored.names(stored.waiting_for)} to accept "
                       "it; nothing can be recorded against it until every partner has accepted it")
    if stored.status == DECLINED:
        refused = stored.declined_by
        who = f"{refused.partner_name} ({refused.reason})" if refused else "a partner"
        raise conflict(f"{a.name} ({a.year}) was declined by {who}; it never took effect")


def require_active(stored: StoredAgreement) -> None:
    require_agreed(stored)
    if stored.settled:
        raise conflict(f"{stored.agreement.name} ({stored.agreement.year}) has been settled; "
                       "its figures and terms can no longer change")


# --- reading ---------------------------------------------------------------------

def _stored(uow: UnitOfWork, row: PoolAgreementRow) -> StoredAgreement:
    session = uow.session
    partner_rows = list(session.execute(select(PoolPartnerRow).where(PoolPartnerRow.agreement_id == row.id)
                                        .order_by(PoolPartnerRow.position)).scalars())
    scheme_rows = list(session.execute(select(PoolSchemeRow).where(PoolSchemeRow.agreement_id == row.id)
                                       .order_by(PoolSchemeRow.position)).scalars())
    amounts: dict[int, dict[str, Money]] = {s.id: {} for s in scheme_rows}
    if scheme_rows:
        for c in session.execute(select(PoolContributionRow).where(
                PoolContributionRow.scheme_row_id.in_(list(amounts))).order_by(PoolContributionRow.id)).scalars():
            amounts[c.scheme_row_id][c.partner_code] = c.amount
    order = {p.code: p.position for p in partner_rows}
    schemes = tuple(
        Scheme(s.scheme_id, s.name, dict(sorted(amounts[s.id].items(), key=lambda kv: order.get(kv[0], 0))),
               Money(0), rule_from_json(_json(s.overspend_rule), side="overspend", scheme=s.scheme_id),
               rule_from_json(_json(s.underspend_rule), side="underspend", scheme=s.scheme_id))
        for s in scheme_rows)
    contingency = None
    if row.contingency_amount is not None:
        contingency = Contingency(row.contingency_amount, {p.code: p.contingency_funding or Money(0)
                                                           for p in partner_rows})
    agreement = Agreement(row.name, FinancialYear(row.year_start), row.host,
                          tuple(Partner(p.code, p.name) for p in partner_rows), schemes,
                          row.offset_across_schemes, contingency)
    definition = PoolDefinition(agreement, {s.scheme_id: s.client_group for s in scheme_rows})
    decided = session.execute(select(PoolAgreementDecisionRow).where(PoolAgreementDecisionRow.agreement_id == row.id)
                              .order_by(PoolAgreementDecisionRow.id)).scalars()
    decisions = tuple(Decision(d.partner_code, agreement.partner_name(d.partner_code), d.decision, d.decided_by,
                               d.decided_at, d.reason) for d in decided)
    return StoredAgreement(row.id, definition, row.status, row.created_at, row.created_by,
                           {s.scheme_id: s.spend_account for s in scheme_rows},
                           {s.scheme_id: s.id for s in scheme_rows}, decisions)


def _json(text: str) -> object:
    return parse_json(text, what="a stored rule")


def get(*, uow: UnitOfWork, agreement_id: int, by: Who, for_update: bool = False) -> StoredAgreement:
    """One agreement; "not found" for a caller whose organisation is not one of its partners.

    ``for_update`` locks the agreement's row first, so changes to one agreement (imports, decisions on
    variations, payments, the settlement) happen one after another and each sees the last one's result.
    """
    row = uow.session.get(PoolAgreementRow, agreement_id)
    if row is None:
        raise not_found(f"pooled budget agreement {agreement_id}")
    if isinstance(by, Caller):
        member = uow.session.execute(select(PoolPartnerRow.id).where(
            PoolPartnerRow.agreement_id == agreement_id, PoolPartnerRow.code == by.organisation_code)).first()
        if member is None:
            raise not_found(f"pooled budget agreement {agreement_id}")
    if for_update:
        row = uow.session.get(PoolAgreementRow, agreement_id, with_for_update=True, populate_existing=True)
        assert row is not None
    return _stored(uow, row)


def list_agreements(*, uow: UnitOfWork, by: Who, statuses: Sequence[str] | None = None) -> list[StoredAgreement]:
    """The agreements the caller's organisation is a partner of (every one for operators), newest year first;
    ``statuses``, if given, keeps those in one of them (the public register: ``AGREED``)."""
    query = select(PoolAgreementRow).order_by(PoolAgreementRow.year_start.desc(), PoolAgreementRow.id)
    if statuses is not None:
        query = query.where(PoolAgreementRow.status.in_([str(status) for status in statuses]))
    if isinstance(by, Caller):
        query = query.join(PoolPartnerRow, PoolPartnerRow.agreement_id == PoolAgreementRow.id).where(
            PoolPartnerRow.code == by.organisation_code)
    return [_stored(uow, row) for row in uow.session.execute(query).scalars()]


# --- shared by every use case ----------------------------------------------------------

def contribution_totals(agreement: Agreement) -> dict[str, Money]:
    """Each partner's contribution for the year: its scheme contributions plus its contingency funding."""
    totals = {code: Money.sum(s.contributions.get(code, Money(0)) for s in agreement.schemes)
              for code in agreement.codes}
    if agreement.contingency is not None:
        for code, amount in agreement.contingency.funded.items():
            totals[code] += amount
    return totals


def ledger_export(*, uow: UnitOfWork, by: Who, agreement_id: int) -> str:
    """The agreement's accounts and transactions as Beancount text, for reconciling elsewhere."""
    stored = get(uow=uow, agreement_id=agreement_id, by=by)
    return beancount.export(uow=uow, prefix=stored.chart.prefix + ":")


def history(*, uow: UnitOfWork, by: Who, agreement_id: int) -> list[AuditEvent]:
    """Every partner's recorded actions on the agreement, its schemes and its variations, newest first (the
    agreement's partners only; anyone else is told it does not exist)."""
    stored = get(uow=uow, agreement_id=agreement_id, by=by)
    return audit.record_history(uow=uow, records=[("pool_agreement", str(stored.id))],
                                under=[("pool_scheme", f"{stored.id}:"), ("pool_variation", f"{stored.id}:")])
