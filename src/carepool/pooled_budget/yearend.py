"""Year-end settlement of a stored agreement, its statement, and the check that the ledger agrees.

The year's actual per scheme is the sum of its monthly figures; ``settle()`` shares
the variance under the agreed rules (the same function ``carepool pool settle``
uses). What a partner owes at the year end (positive) or is owed (negative) is its
contribution still unpaid plus its share of the variance, which is its final cost minus
the contributions it has paid. Settling posts all of it to the partner's ``Settlement``
account (the unpaid contribution moves there from ``Due``), so a settlement payment
pays the whole of it and the ledger says what is still outstanding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.audit.model import canonical_json
from carepool.core.errors import conflict, not_found
from carepool.core.money import Money
from carepool.core.periods import FinancialMonth
from carepool.db.uow import UnitOfWork
from carepool.ledger import service as ledger
from carepool.ledger.model import Posting, TransactionDraft
from carepool.pooled_budget.forecast import MonthFigure, months_missing, outturn
from carepool.pooled_budget.model import SettlementResult
from carepool.pooled_budget.monitoring import figures
from carepool.pooled_budget.payments import paid_to_date
from carepool.pooled_budget.render import result_to_dict
from carepool.pooled_budget.service import (
    SETTLED,
    StoredAgreement,
    Who,
    contribution_totals,
    get,
    move_status,
    organisation_of,
    require_agreed,
    require_host,
)
from carepool.pooled_budget.settlement import check_settlement, settle
from carepool.pooled_budget.tables import (
    PoolAgreementRow,
    PoolSettlementRow,
    PoolStatementSignOffRow,
    PoolVariationRow,
)


@dataclass(frozen=True)
class PartnerLine:
    code: str
    name: str
    contribution: Money
    overspend_share: Money
    underspend_share: Money
    final_cost: Money
    paid: Money  # contributions paid into the pool by the settlement
    balance: Money  # at settlement, final cost - paid: positive, the partner owes the pool; negative, the pool owes it
    unpaid_contribution: Money  # the part of the balance that is contribution unpaid at settlement
    paid_since: Money  # paid to the pool since the settlement (negative: paid out to the partner)
    outstanding: Money  # what the partner owes (+) or is owed (-) now, from the ledger

    @property
    def owes_words(self) -> str:
        """What the partner owes or is owed now, and, once anything has been paid, what it was at settlement."""
        now = _owes(self.outstanding)
        if not self.paid_since:
            return now
        paid = (f"{self.paid_since} paid to the pool since" if self.paid_since.pence > 0
                else f"{-self.paid_since} paid out by the pool since")
        return f"{now} now ({_owes(self.balance, past=True)} at settlement; {paid})"


def _owes(amount: Money, *, past: bool = False) -> str:
    if amount.pence > 0:
        return f"{'owed' if past else 'owes'} the pool {amount}"
    if amount.pence < 0:
        return f"{'was' if past else 'is'} owed {-amount} by the pool"
    return f"{'owed' if past else 'owes'} nothing and {'was' if past else 'is'} owed nothing"


@dataclass(frozen=True)
class SignOff:
    """A partner's sign-off of the statement: the person, the role they sign in, when."""

    partner: str
    name: str
    title: str
    signed_by: str  # the actor (user:email)
    signed_at: datetime


@dataclass(frozen=True)
class Statement:
    agreement_id: int
    settled_at: datetime
    settled_by: str
    data: dict[str, Any]  # the settlement JSON (as `carepool pool settle --format json`) plus "positions"
    sign_offs: dict[str, SignOff] = field(default_factory=dict)  # by partner code
    now: dict[str, tuple[Money, Money]] = field(default_factory=dict)  # by partner: (paid since, outstanding now)
    order: tuple[str, ...] = ()  # the partners' codes in the agreement's order (the stored JSON is sorted by key)

    @property
    def codes(self) -> list[str]:
        """The partners' codes in the agreement's order, as every other table lists them."""
        stored = list(self.data["partners"])
        rank = {code: index for index, code in enumerate(self.order)}
        return sorted(stored, key=lambda code: rank.get(code, len(rank)))

    @property
    def unsigned(self) -> list[str]:
        """The partners (codes) that have not signed the statement yet."""
        return [code for code in self.codes if code not in self.sign_offs]

    @property
    def partners(self) -> list[PartnerLine]:
        names = self.data["agreement"]["partners"]
        lines = []
        for code in self.codes:
            p = self.data["partners"][code]
            position = self.data["positions"][code]
            contribution, paid = Money.from_stored(p["contribution"]), Money.from_stored(position["paid"])
            balance = Money.from_stored(position["balance"])
            paid_since, outstanding = self.now.get(code, (Money(0), balance))
            lines.append(PartnerLine(code, names[code], contribution,
                                     Money.from_stored(p["overspend_share"]), Money.from_stored(p["underspend_share"]),
                                     Money.from_stored(p["final_cost"]), paid, balance, contribution - paid,
                                     paid_since, outstanding))
        return lines

    def to_json(self) -> dict[str, Any]:
        """The stored statement plus what each partner owes now: ``positions`` stay as they were at settlement."""
        return {**self.data, "outstanding": {
            p.code: {"at_settlement": p.balance.plain(), "unpaid_contribution": p.unpaid_contribution.plain(),
                     "paid_since": p.paid_since.plain(), "now": p.outstanding.plain()} for p in self.partners}}

    @property
    def explanation(self) -> list[str]:
        return list(self.data["explanation"])

    def money(self, key: str) -> Money:
        return Money.from_stored(self.data[key])

    @property
    def total_final_cost(self) -> Money:
        return Money.sum(p.final_cost for p in self.partners)

    @property
    def total_actual(self) -> Money:
        return Money.sum(Money.from_stored(s["actual"]) for s in self.data["schemes"])

    def total(self, attr: str) -> Money:
        """A column of the partners' lines added up (``final_cost``, ``outstanding`` …)."""
        return Money.sum(getattr(p, attr) for p in self.partners)

    @property
    def check_words(self) -> str:
        """The settlement's check in words: final costs = actual spend + carried forward − unallocated."""
        return (f"final costs {self.total_final_cost} = actual spend {self.total_actual} + carried forward "
                f"{self.money('carried_forward')} − unallocated {self.money('unallocated')}")

    @property
    def unallocated_words(self) -> str | None:
        """Why final costs fall short of actual spend, when an overspend above a cap is left for the board."""
        left = self.money("unallocated")
        if not left:
            return None
        return (f"Final costs {self.total_final_cost} are {left} less than actual spend {self.total_actual}: "
                f"{left} of the overspend is above the partners' caps and left unallocated for the partnership "
                "board to decide.")


def outstanding_now(*, uow: UnitOfWork, stored: StoredAgreement, code: str) -> Money:
    """What a partner owes the pool (+) or is owed (-) now: its contribution unpaid and, once settled, its
    settlement unpaid. (A statement settled before the unpaid contribution moved to ``Settlement`` left it in
    ``Due``; the sum reads both alike.)"""
    chart = stored.chart
    return ledger.balance(uow=uow, code=chart.due(code)) + ledger.balance(uow=uow, code=chart.settlement(code))


def _statement(uow: UnitOfWork, row: PoolSettlementRow, stored: StoredAgreement) -> Statement:
    signed = uow.session.execute(select(PoolStatementSignOffRow).where(
        PoolStatementSignOffRow.agreement_id == row.agreement_id).order_by(PoolStatementSignOffRow.signed_at,
                                                                          PoolStatementSignOffRow.id)).scalars()
    sign_offs = {s.partner_code: SignOff(s.partner_code, s.name, s.title, s.signed_by, s.signed_at)
                 for s in signed}
    data = json.loads(row.statement)
    contributions = paid_to_date(uow=uow, stored=stored)
    settlements = paid_to_date(uow=uow, stored=stored, kind="settlement")
    now = {code: (contributions[code] - Money.from_stored(position["paid"]) + settlements[code],
                  outstanding_now(uow=uow, stored=stored, code=code))
           for code, position in data["positions"].items()}
    return Statement(row.agreement_id, row.settled_at, row.settled_by, data, sign_offs, now,
                     tuple(stored.agreement.codes))


def statement(*, uow: UnitOfWork, stored: StoredAgreement) -> Statement | None:
    row = uow.session.get(PoolSettlementRow, stored.id)
    return None if row is None else _statement(uow, row, stored)


def get_statement(*, uow: UnitOfWork, by: Who, agreement_id: int) -> Statement:
    stored = get(uow=uow, agreement_id=agreement_id, by=by)
    found = statement(uow=uow, stored=stored)
    if found is None:
        raise not_found(f"a settlement of agreement {agreement_id} (the year has not been settled yet)")
    return found


def missing_months(stored: StoredAgreement, found: Sequence[MonthFigure]) -> list[str]:
    """Each scheme with months that have no actuals (``forecast.months_missing``), and those months as runs."""
    year, gaps = stored.agreement.year, []
    for scheme in stored.agreement.schemes:
        runs: list[list[int]] = []
        for n in months_missing(scheme, found):
            if runs and runs[-1][-1] == n - 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        if runs:
            spans = [FinancialMonth(year, r[0]).label + (f" to {FinancialMonth(year, r[-1]).label}" if len(r) > 1
                                                          else "") for r in runs]
            gaps.append(f"{scheme.name} ({scheme.id}): {', '.join(spans)}")
    return gaps


def _ready(uow: UnitOfWork, stored: StoredAgreement, found: Sequence[MonthFigure]) -> None:
    gaps = missing_months(stored, found)
    if gaps:
        raise conflict(f"the year is not complete: there are no actuals for {'; '.join(gaps)}. Record every "
                       f"month from April {stored.agreement.year.start} to March {stored.agreement.year.start + 1} "
                       "(0 for a month with no spend) before settling")
    pending = uow.session.execute(select(PoolVariationRow.number).where(
        PoolVariationRow.agreement_id == stored.id, PoolVariationRow.status == "proposed")).scalars().all()
    if pending:
        raise conflict(f"variation {', '.join(map(str, pending))} still awaits approval; approve, reject or "
                       "withdraw it before settling")


def settle_year(*, uow: UnitOfWork, by: Who, agreement_id: int) -> Statement:
    """Settle the year once: post each partner's share to the ledger and store the statement."""
    stored = get(uow=uow, agreement_id=agreement_id, by=by, for_update=True)
    require_host(stored, by, "settles the year")
    existing = statement(uow=uow, stored=stored)
    if existing is not None:
        return existing
    require_agreed(stored)
    found = figures(uow=uow, stored=stored)
    _ready(uow, stored, found)
    result = settle(outturn(stored.agreement, found))
    chart, year = stored.chart, stored.agreement.year
    due, paid = contribution_totals(stored.agreement), paid_to_date(uow=uow, stored=stored)
    postings = []
    for p in result.partners:
        # The contribution still unpaid is owed with the share, on one account, so one settlement payment pays both.
        share, unpaid = p.overspend_share + p.underspend_share, due[p.code] - paid[p.code]
        postings += [Posting(account, amount) for account, amount in (
            (chart.settlement(p.code), share + unpaid), (chart.risk_share(p.code), -share),
            (chart.due(p.code), -unpaid)) if amount]
    if postings:
        ledger.post(uow=uow, actor=by.actor, draft=TransactionDraft(
            f"{chart.prefix}:settlement", year.last_day,
            f"Year-end settlement of {stored.agreement.name} {year}: each partner's share of the variance "
            "and any contribution it had not paid", tuple(postings)))
    data = result_to_dict(result)
    data["positions"] = {p.code: {"paid": paid[p.code].plain(), "balance": (p.final_cost - paid[p.code]).plain(),
                                  "unpaid_contribution": (due[p.code] - paid[p.code]).plain()}
                         for p in result.partners}
    row = PoolSettlementRow(agreement_id=stored.id, settled_at=uow.now(), settled_by=by.actor,
                            statement=canonical_json(data))
    uow.session.add(row)
    agreement_row = uow.session.get(PoolAgreementRow, stored.id)
    assert agreement_row is not None
    move_status(agreement_row, SETTLED)
    audit.record(uow=uow, actor=by.actor, organisation=organisation_of(by, stored), action="pool.year_settled",
                 entity_type="pool_agreement", entity_id=str(stored.id),
                 after={"partners": data["partners"], "positions": data["positions"],
                        "carried_forward": data["carried_forward"], "unallocated": data["unallocated"]})
    uow.commit()
    return _statement(uow, row, stored)


def settlement_result(stored: StoredAgreement, found: list[Any]) -> SettlementResult:
    return settle(outturn(stored.agreement, found))


def check_ledger(*, uow: UnitOfWork, stored: StoredAgreement) -> list[str]:
    """Every way the agreement's ledger accounts disagree with its stored figures; empty when they agree."""
    chart, agreement = stored.chart, stored.agreement
    problems = []

    def balance(code: str) -> Money:
        return ledger.balance(uow=uow, code=code)

    total = ledger.trial_balance(uow=uow, prefix=chart.prefix + ":").total
    if total:
        problems.append(f"the trial balance of {chart.prefix} is {total}, not zero")
    found = figures(uow=uow, stored=stored)
    spent = Money.sum(balance(stored.spend_accounts[s.id]) for s in agreement.schemes)
    if spent != Money.sum(f.actual for f in found):
        problems.append(f"spend accounts hold {spent} but the monthly actuals add up to "
                        f"{Money.sum(f.actual for f in found)}")
    settled = statement(uow=uow, stored=stored)
    # the contribution unpaid at settlement, moved from Due to Settlement (absent from statements settled before that)
    moved = {code: Money.from_stored(position.get("unpaid_contribution", "0.00"))
             for code, position in (settled.data["positions"] if settled else {}).items()}
    due, paid = contribution_totals(agreement), paid_to_date(uow=uow, stored=stored)
    for code in agreement.codes:
        income = -balance(chart.contributions(code))
        if income != due[code]:
            problems.append(f"{code}: contributions account is {income}, expected {due[code]}")
        expected = due[code] - paid[code] - moved.get(code, Money(0))
        if balance(chart.due(code)) != expected:
            problems.append(f"{code}: due account is {balance(chart.due(code))}, expected {expected}")
    refunds = paid_to_date(uow=uow, stored=stored, kind="settlement")
    received = Money.sum(paid.values()) + Money.sum(refunds.values())
    if balance(chart.bank) != received:
        problems.append(f"the pool bank holds {balance(chart.bank)}, but payments add up to {received}")
    if settled is not None:
        for line in settled.partners:
            share = line.overspend_share + line.underspend_share
            expected = share + moved[line.code] - refunds[line.code]
            if balance(chart.settlement(line.code)) != expected:
                problems.append(f"{line.code}: settlement account is {balance(chart.settlement(line.code))}, "
                                f"expected {expected}")
            if line.balance - line.paid_since != line.outstanding:
                problems.append(f"{line.code}: owed {line.balance} at settlement and {line.paid_since} paid since, "
                                f"but the ledger says {line.outstanding} is outstanding")
        result_problems = check_settlement(settlement_result(stored, found))
        problems += result_problems
    return problems
