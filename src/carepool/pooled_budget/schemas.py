"""Pydantic models at the API edge. Money is text with two decimals ("1234.56"), never a JSON float."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, StrictInt

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.pooled_budget.consent import Decision
from carepool.pooled_budget.definition import describe_rule, rule_to_json
from carepool.pooled_budget.monitoring import Monitoring, RecordSummary
from carepool.pooled_budget.payments import Payment
from carepool.pooled_budget.service import StoredAgreement, contribution_totals
from carepool.pooled_budget.values import parse_money
from carepool.pooled_budget.variations import Variation
from carepool.pooled_budget.yearend import SignOff, Statement

MoneyIn = str | StrictInt  # "1234.56", "£1,234.56" or whole pounds as a JSON integer


def money_in(value: MoneyIn, what: str) -> Money:
    try:
        return parse_money(value)
    except CarepoolError as error:
        raise CarepoolError(f"{what}: {error.message}") from None


class PartnerRead(BaseModel):
    code: str
    name: str
    contribution: str  # for the year: its scheme contributions plus any contingency funding
    contingency_funding: str | None


class SchemeRead(BaseModel):
    id: str
    name: str
    client_group: str
    budget: str
    contributions: dict[str, str]
    overspend: dict[str, Any]
    underspend: dict[str, Any]
    overspend_in_words: str
    underspend_in_words: str


class AgreementSummaryRead(BaseModel):
    id: int
    name: str
    year: str
    host: str
    host_name: str
    partners: list[str]
    budget: str
    status: str = Field(description="proposed (waiting for every partner to accept), active, declined or settled")

    @classmethod
    def of(cls, stored: StoredAgreement) -> AgreementSummaryRead:
        a = stored.agreement
        return cls(id=stored.id, name=a.name, year=a.year.label, host=a.host, host_name=a.partner_name(a.host),
                   partners=a.codes, budget=stored.budget.plain(), status=stored.status)


class AgreementDecisionRead(BaseModel):
    partner: str
    partner_name: str
    decision: str = Field(description="accept or decline")
    by: str
    at: datetime
    reason: str = Field(description="why the partner declined; empty when it accepted")

    @classmethod
    def of(cls, d: Decision) -> AgreementDecisionRead:
        return cls(partner=d.partner, partner_name=d.partner_name, decision=d.decision, by=d.by, at=d.at,
                   reason=d.reason)


class AgreementDecisionCreate(BaseModel):
    reason: str = Field("", description="why your organisation declines (1 to 500 characters); not needed to accept")


class AgreementRead(AgreementSummaryRead):
    offset_across_schemes: bool
    contingency: dict[str, Any] | None
    partner_details: list[PartnerRead]
    schemes: list[SchemeRead]
    created_at: datetime
    created_by: str
    decisions: list[AgreementDecisionRead] = Field(description="each partner's acceptance (or decline), so far")
    waiting_for: list[str] = Field(description="the partners (codes) yet to accept a proposed agreement")
    notices: list[str] = Field(default_factory=list, description="when proposed: what was taken otherwise than the "
                               "request had it (a partner is named as in the partner directory)")

    @classmethod
    def of(cls, stored: StoredAgreement, notices: Sequence[str] = ()) -> AgreementRead:
        a = stored.agreement
        totals = contribution_totals(a)
        funded = a.contingency.funded if a.contingency else {}
        summary = AgreementSummaryRead.of(stored).model_dump()
        return cls(
            **summary, offset_across_schemes=a.offset_across_schemes,
            decisions=[AgreementDecisionRead.of(d) for d in stored.decisions], waiting_for=list(stored.waiting_for),
            notices=list(notices),
            contingency=None if a.contingency is None else {
                "amount": a.contingency.amount.plain(), "funded": {c: m.plain() for c, m in funded.items()}},
            partner_details=[PartnerRead(code=p.code, name=p.name, contribution=totals[p.code].plain(),
                                         contingency_funding=funded[p.code].plain() if p.code in funded else None)
                             for p in a.partners],
            schemes=[SchemeRead(id=s.id, name=s.name, client_group=stored.definition.client_group(s.id),
                                budget=s.budget.plain(),
                                contributions={c: m.plain() for c, m in s.contributions.items()},
                                overspend=rule_to_json(s.overspend), underspend=rule_to_json(s.underspend),
                                overspend_in_words=describe_rule(s.overspend, a),
                                underspend_in_words=describe_rule(s.underspend, a)) for s in a.schemes],
            created_at=stored.created_at, created_by=stored.created_by)


class SchemeMonitorRead(BaseModel):
    id: str
    name: str
    client_group: str
    budget: str
    actual_to_date: str
    commitments: str
    run_rate: str
    remaining_months: int
    projected: str
    manual_forecast: str | None
    forecast_outturn: str
    variance: str
    basis: str
    monthly: list[str | None] = Field(description="April .. March, every source added; null for a month with no "
                                        "figure (yet), \"0.00\" for a recorded £0.00")


class PartnerPositionRead(BaseModel):
    code: str
    name: str
    contribution: str
    paid_to_date: str = Field(description="contribution payments received")
    still_to_pay: str = Field(description="contribution not paid; once the year is settled, what was unpaid at the "
                                          "year end, which is owed as part of the settlement (its `outstanding`)")
    forecast_overspend_share: str
    forecast_underspend_share: str
    forecast_final_cost: str


class MonitoringRead(BaseModel):
    agreement_id: int
    as_at: int = Field(description="the latest month with actuals: 1 = April .. 12 = March; 0 = none yet")
    as_at_label: str
    schemes: list[SchemeMonitorRead]
    partners: list[PartnerPositionRead]
    totals: dict[str, str]
    explanation: list[str]
    warnings: list[str] = Field(default_factory=list, description="e.g. a forecast outturn below zero")

    @classmethod
    def of(cls, m: Monitoring) -> MonitoringRead:
        f = m.forecast
        schemes = [SchemeMonitorRead(
            id=s.id, name=s.name, client_group=s.client_group, budget=s.budget.plain(),
            actual_to_date=s.actual_to_date.plain(), commitments=s.commitments.plain(), run_rate=s.run_rate.plain(),
            remaining_months=s.remaining_months, projected=s.projected.plain(),
            manual_forecast=s.manual.plain() if s.manual is not None else None,
            forecast_outturn=s.forecast.plain(), variance=s.variance.plain(), basis=s.basis,
            monthly=[v.plain() if month in s.recorded and month <= f.as_at else None
                     for month, v in enumerate(s.monthly, start=1)]) for s in f.schemes]
        partners = [PartnerPositionRead(
            code=p.code, name=p.name, contribution=m.contributions[p.code].plain(), paid_to_date=m.paid[p.code].plain(),
            still_to_pay=m.outstanding[p.code].plain(), forecast_overspend_share=p.overspend_share.plain(),
            forecast_underspend_share=p.underspend_share.plain(), forecast_final_cost=p.final_cost.plain())
            for p in f.outcome.partners]
        totals = {key: f.total(attr).plain() for key, attr in (
            ("budget", "budget"), ("actual_to_date", "actual_to_date"), ("commitments", "commitments"),
            ("forecast_outturn", "forecast"), ("variance", "variance"))}
        return cls(agreement_id=m.stored.id, as_at=f.as_at, as_at_label=f.as_at_label, schemes=schemes,
                   partners=partners, totals=totals, explanation=f.outcome.explanation(),
                   warnings=list(f.warnings))


class MonthlyFigureCreate(BaseModel):
    scheme_id: str
    month: str = Field(examples=["2025-04"])
    source: str = Field(description="code of the partner whose ledger the figure comes from", examples=["QRV"])
    actual: MoneyIn
    commitments: MoneyIn | None = None


class ActualsCreate(BaseModel):
    figures: list[MonthlyFigureCreate] = Field(min_length=1)

    def entries(self) -> list[dict[str, object]]:
        return [f.model_dump() for f in self.figures]


class RecordSummaryRead(BaseModel):
    rows: int
    new: int
    corrected: int
    unchanged: int
    spend_posted: str
    commitments_kept: int = Field(description="rows given without commitments: the recorded ones were kept")
    note: str | None = Field(None, description="a warning when the rows span more than one month")

    @classmethod
    def of(cls, s: RecordSummary) -> RecordSummaryRead:
        return cls(rows=s.rows, new=s.new, corrected=s.corrected, unchanged=s.unchanged,
                   spend_posted=s.spend_posted.plain(), commitments_kept=s.commitments_kept, note=s.note)


class ForecastUpdate(BaseModel):
    amount: MoneyIn | None = Field(description="the manual forecast outturn; null clears it")
    note: str = ""


class PaymentCreate(BaseModel):
    partner: str
    amount: MoneyIn
    on: date
    reference: str = Field(examples=["Q1-QRV"])
    kind: str = Field("contribution", description="contribution, or settlement after the year is settled")


class PaymentRead(BaseModel):
    partner: str
    kind: str
    on: date
    amount: str
    reference: str
    recorded_by: str
    recorded_at: datetime
    already_recorded: bool = Field(False, description="true when this reference was already recorded for the same "
                                   "payment: nothing was posted (the answer is still 201, as for the first time)")
    message: str | None = Field(None, description="what recording it did, in words (on recording only)")

    @classmethod
    def of(cls, p: Payment, partner_name: str | None = None) -> PaymentRead:
        return cls(partner=p.partner, kind=p.kind, on=p.on, amount=p.amount.plain(), reference=p.reference,
                   recorded_by=p.recorded_by, recorded_at=p.recorded_at, already_recorded=p.replayed,
                   message=None if partner_name is None else p.words(partner_name))


class VariationCreate(BaseModel):
    """Sent as JSON; amounts and shares as text. Changes: move, contribution or rules (docs/pooled-budgets.md)."""

    description: str
    changes: list[dict[str, Any]]


class DecisionRead(BaseModel):
    partner: str
    partner_name: str
    decision: str
    by: str
    at: datetime


class VariationRead(BaseModel):
    number: int
    description: str
    changes: list[str]
    status: str
    proposed_by: str
    proposed_org: str
    proposed_at: datetime
    decided_at: datetime | None
    decisions: list[DecisionRead]
    waiting_for: list[str]

    @classmethod
    def of(cls, v: Variation) -> VariationRead:
        return cls(number=v.number, description=v.description, changes=list(v.lines), status=v.status,
                   proposed_by=v.proposed_by, proposed_org=v.proposed_org, proposed_at=v.proposed_at,
                   decided_at=v.decided_at, decisions=[DecisionRead(partner=d.partner, partner_name=d.partner_name,
                                                                    decision=d.decision, by=d.by, at=d.at)
                                                       for d in v.decisions],
                   waiting_for=list(v.waiting_for))


class SignOffRead(BaseModel):
    partner: str
    name: str
    title: str
    signed_by: str
    signed_at: datetime

    @classmethod
    def of(cls, s: SignOff) -> SignOffRead:
        return cls(partner=s.partner, name=s.name, title=s.title, signed_by=s.signed_by, signed_at=s.signed_at)


class SignOffCreate(BaseModel):
    title: str = Field(description="the role the signer signs in, e.g. Director of Finance")


class StatementRead(BaseModel):
    agreement_id: int
    settled_at: datetime
    settled_by: str
    settlement: dict[str, Any] = Field(description="as `carepool pool settle --format json`, plus `positions`: "
                                                   "each partner's contributions paid and balance (+ owes, − owed) "
                                                   "at settlement, and `outstanding`: what it owed at settlement, "
                                                   "has paid since, and owes (+) or is owed (−) now")
    sign_offs: list[SignOffRead] = Field(description="each partner's sign-off of the statement, so far")
    unsigned: list[str] = Field(description="the partners (codes) yet to sign")

    @classmethod
    def of(cls, s: Statement) -> StatementRead:
        return cls(agreement_id=s.agreement_id, settled_at=s.settled_at, settled_by=s.settled_by,
                   settlement=s.to_json(), sign_offs=[SignOffRead.of(x) for x in s.sign_offs.values()],
                   unsigned=s.unsigned)
