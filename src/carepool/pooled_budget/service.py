"""Stored Section 75 agreements: create, read, who may see and change them, the ledger chart.

Every use case takes ``by``: a signed-in ``Caller`` (web and API) or an ``Operator``
(the command line, which holds the database). A caller sees only agreements its
organisation is a partner of — any other answers "not found" — and changes need
the commissioner or finance role. Use cases commit their own unit of work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.audit.model import AuditEvent, canonical_json
from carepool.core.errors import CarepoolError, conflict, forbidden, not_found
from carepool.core.jsonfile import parse_json
from carepool.core.money import Money
from carepool.core.periods import FinancialYear
from carepool.db.uow import UnitOfWork
from carepool.ledger import beancount
from carepool.ledger import service as ledger
from carepool.ledger.model import AccountType, Posting, TransactionDraft
from carepool.partners import service as partners
from carepool.partners.model import Caller, Role
from carepool.pooled_budget.definition import PoolDefinition, agreement_to_json, rule_to_json
from carepool.pooled_budget.io import rule_from_json
from carepool.pooled_budget.model import Agreement, Contingency, Partner, Scheme
from carepool.pooled_budget.tables import (
    PoolAgreementRow,
    PoolContributionRow,
    PoolPartnerRow,
    PoolSchemeRow,
)
from carepool.pooled_budget.validation import ensure_valid

WRITE_ROLES = (Role.COMMISSIONER, Role.FINANCE)
ACTIVE, SETTLED = "active", "settled"


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


def require_active(stored: StoredAgreement) -> None:
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
    return StoredAgreement(row.id, definition, row.status, row.created_at, row.created_by,
                           {s.scheme_id: s.spend_account for s in scheme_rows},
                           {s.scheme_id: s.id for s in scheme_rows})


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


def list_agreements(*, uow: UnitOfWork, by: Who) -> list[StoredAgreement]:
    """The agreements the caller's organisation is a partner of (every one for operators), newest year first."""
    query = select(PoolAgreementRow).order_by(PoolAgreementRow.year_start.desc(), PoolAgreementRow.id)
    if isinstance(by, Caller):
        query = query.join(PoolPartnerRow, PoolPartnerRow.agreement_id == PoolAgreementRow.id).where(
            PoolPartnerRow.code == by.organisation_code)
    return [_stored(uow, row) for row in uow.session.execute(query).scalars()]


# --- creating ----------------------------------------------------------------------

def _account_part(text: str) -> str:
    part = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").upper()
    return part or "SCHEME"


def _spend_parts(agreement: Agreement) -> dict[str, str]:
    parts: dict[str, str] = {}
    for scheme in agreement.schemes:
        part, n = _account_part(scheme.id), 2
        while part in parts.values():
            part, n = f"{_account_part(scheme.id)}-{n}", n + 1
        parts[scheme.id] = part
    return parts


def contribution_totals(agreement: Agreement) -> dict[str, Money]:
    """Each partner's contribution for the year: its scheme contributions plus its contingency funding."""
    totals = {code: Money.sum(s.contributions.get(code, Money(0)) for s in agreement.schemes)
              for code in agreement.codes}
    if agreement.contingency is not None:
        for code, amount in agreement.contingency.funded.items():
            totals[code] += amount
    return totals


def _check_new(uow: UnitOfWork, by: Who, agreement: Agreement) -> None:
    if isinstance(by, Caller):
        by.require(*WRITE_ROLES)
    ensure_valid(agreement)
    if isinstance(by, Caller) and by.organisation_code not in agreement.codes:
        raise forbidden(f"{by.organisation_name} is not a partner of this agreement; an agreement is "
                        "created by one of its partners")
    missing = []
    for code in agreement.codes:
        try:
            partners.get_organisation(uow=uow, code=code)
        except CarepoolError:
            missing.append(code)
    if missing:
        raise CarepoolError(f"partner {', '.join(missing)} is not in the partner directory; import the "
                            "organisation first (carepool orgs import)", kind="not_found")
    too_long = [s.id for s in agreement.schemes if len(s.id) > 60 or len(s.name) > 200]
    if len(agreement.name) > 200 or too_long:
        raise CarepoolError("names are at most 200 characters and scheme ids at most 60"
                            + (f" (scheme {too_long[0]})" if too_long else ""))


def create(*, uow: UnitOfWork, by: Who, definition: PoolDefinition) -> StoredAgreement:
    """Store the agreement, open its ledger accounts and post each partner's contribution as due."""
    agreement = definition.agreement
    _check_new(uow, by, agreement)
    row = PoolAgreementRow(name=agreement.name, year_start=agreement.year.start, host=agreement.host,
                           offset_across_schemes=agreement.offset_across_schemes,
                           contingency_amount=agreement.contingency.amount if agreement.contingency else None,
                           status=ACTIVE, created_at=uow.now(), created_by=by.actor)
    uow.session.add(row)
    uow.session.flush()
    chart = Chart(row.id)
    funded = agreement.contingency.funded if agreement.contingency else {}
    for position, partner in enumerate(agreement.partners):
        uow.session.add(PoolPartnerRow(agreement_id=row.id, code=partner.code, name=partner.name,
                                       position=position, contingency_funding=funded.get(partner.code)))
    parts = _spend_parts(agreement)
    for position, scheme in enumerate(agreement.schemes):
        scheme_row = PoolSchemeRow(agreement_id=row.id, scheme_id=scheme.id, name=scheme.name,
                                   client_group=definition.client_group(scheme.id), position=position,
                                   overspend_rule=_canonical(rule_to_json(scheme.overspend)),
                                   underspend_rule=_canonical(rule_to_json(scheme.underspend)),
                                   spend_account=chart.spend(parts[scheme.id]))
        uow.session.add(scheme_row)
        uow.session.flush()
        for code, amount in scheme.contributions.items():
            uow.session.add(PoolContributionRow(scheme_row_id=scheme_row.id, partner_code=code, amount=amount))
    _open_accounts(uow, by, chart, agreement, parts)
    totals = contribution_totals(agreement)
    postings = [p for code in agreement.codes if totals[code]
                for p in (Posting(chart.due(code), totals[code]), Posting(chart.contributions(code), -totals[code]))]
    ledger.post(uow=uow, actor=by.actor, draft=TransactionDraft(
        f"{chart.prefix}:contributions", agreement.year.first_day,
        f"Contributions due to {agreement.name} {agreement.year}", tuple(postings)))
    audit.record(uow=uow, actor=by.actor, organisation=by.organisation_code if isinstance(by, Caller)
                 else agreement.host, action="pool.agreement_created", entity_type="pool_agreement",
                 entity_id=str(row.id), after=agreement_to_json(definition))
    uow.commit()
    return _stored(uow, row)


def _canonical(value: object) -> str:
    return canonical_json(value)


def _open_accounts(uow: UnitOfWork, by: Who, chart: Chart, agreement: Agreement, parts: dict[str, str]) -> None:
    label = f"{agreement.name} {agreement.year}"
    accounts = [(chart.bank, f"Pool bank: {label}", AccountType.ASSET, True),
                (chart.creditors, f"Spend payable from the pool: {label}", AccountType.LIABILITY, False)]
    for p in agreement.partners:
        accounts += [
            (chart.due(p.code), f"Contribution due from {p.name}: {label}", AccountType.ASSET, False),
            (chart.contributions(p.code), f"Contribution of {p.name}: {label}", AccountType.INCOME, False),
            (chart.risk_share(p.code), f"Risk share of {p.name}: {label}", AccountType.INCOME, False),
            (chart.settlement(p.code), f"Year-end settlement with {p.name}: {label}", AccountType.ASSET, False),
        ]
    accounts += [(chart.spend(parts[s.id]), f"Spend on {s.name}: {label}", AccountType.EXPENSE, False)
                 for s in agreement.schemes]
    for code, name, kind, guard in accounts:
        ledger.open_account(uow=uow, actor=by.actor, owner=agreement.host, code=code, name=name[:200], type=kind,
                            opened_on=agreement.year.first_day, no_overdraft=guard)


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
