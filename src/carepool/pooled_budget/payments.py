"""Payments into the pool bank: quarterly instalments of contributions, and settlement payments.

The host records them (its commissioner or finance users, or the operator). A reference
used twice for the same payment records it once; for a different payment it is refused.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, conflict
from carepool.core.money import Money
from carepool.db.uow import UnitOfWork
from carepool.ledger import service as ledger
from carepool.ledger.model import Posting, TransactionDraft
from carepool.pooled_budget.service import StoredAgreement, Who, get, organisation_of, require_agreed, require_host
from carepool.pooled_budget.tables import PoolPaymentRow
from carepool.pooled_budget.values import parse_code

PAYMENT_KINDS = ("contribution", "settlement")


@dataclass(frozen=True)
class Payment:
    partner: str
    kind: str
    on: date
    amount: Money
    reference: str
    recorded_by: str
    recorded_at: datetime
    replayed: bool = False  # True when this reference was already recorded for the same payment: nothing posted

    def words(self, partner_name: str) -> str:
        """What recording it did, for the page, the command line and the API alike."""
        what = f"{self.kind} payment {self.reference}: {self.amount} from {partner_name} on {self.on:%Y-%m-%d}"
        if self.replayed:
            return f"The {what} was already recorded on {self.recorded_at:%Y-%m-%d}: nothing posted."
        return f"Recorded {what}, posted to the ledger."


def _payment(row: PoolPaymentRow) -> Payment:
    return Payment(row.partner_code, row.kind, row.on, row.amount, row.reference, row.recorded_by,
                   row.recorded_at)


def list_payments(*, uow: UnitOfWork, stored: StoredAgreement) -> list[Payment]:
    rows = uow.session.execute(select(PoolPaymentRow).where(PoolPaymentRow.agreement_id == stored.id)
                               .order_by(PoolPaymentRow.on, PoolPaymentRow.id)).scalars()
    return [_payment(r) for r in rows]


def paid_to_date(*, uow: UnitOfWork, stored: StoredAgreement, kind: str = "contribution") -> dict[str, Money]:
    paid = {code: Money(0) for code in stored.agreement.codes}
    for payment in list_payments(uow=uow, stored=stored):
        if payment.kind == kind:
            paid[payment.partner] += payment.amount
    return paid


def _outstanding_problem(stored: StoredAgreement, partner: str, kind: str, amount: Money,
                         owed: Money) -> str | None:
    name = stored.agreement.partner_name(partner)
    if kind == "contribution":
        if amount.pence <= 0:
            return "a contribution payment must be above zero"
        if amount > owed:
            return f"{name} has {owed} of its contribution left to pay; {amount} is more than that"
        return None
    if not stored.settled:
        return "settlement payments can be recorded once the year has been settled"
    if not amount or (owed.pence >= 0 and not Money(0) < amount <= owed) or (
            owed.pence < 0 and not owed <= amount < Money(0)):
        where = f"owes the pool {owed}" if owed.pence >= 0 else f"is owed {-owed} by the pool"
        return f"{name} {where}; record what it pays in as a positive amount, what the pool pays it as negative"
    return None


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _date_problem(stored: StoredAgreement, kind: str, on: date) -> str | None:
    """The pool's accounts are open from 1 April of its year and the settlement is dated 31 March, so a payment
    outside those dates would make the ledger unreadable to bean-check (or a settlement paid before it was due)."""
    year = stored.agreement.year
    if kind == "contribution" and not year.first_day <= on <= year.last_day:
        return (f"a contribution payment to a {year.label} pool must be dated in its year, {_day(year.first_day)} "
                f"to {_day(year.last_day)}; got {on.isoformat()}"
                + ("; a contribution still unpaid at the year end is part of the settlement: settle the year, "
                   "then record it as a settlement payment" if on > year.last_day else ""))
    if kind == "settlement" and on < year.last_day:
        return (f"a settlement payment must be dated on or after the year end it settles, {_day(year.last_day)}; "
                f"got {on.isoformat()}")
    return None


def record_payment(*, uow: UnitOfWork, by: Who, agreement_id: int, partner: str, amount: Money, on: date,
                   reference: str, kind: str = "contribution") -> Payment:
    """A payment into the pool bank (e.g. a quarterly instalment); the same reference twice is one payment."""
    stored = get(uow=uow, agreement_id=agreement_id, by=by, for_update=True)
    require_host(stored, by, "records payments into the pool")
    require_agreed(stored)
    code, reference = parse_code(partner), reference.strip()
    if code not in stored.agreement.codes:
        raise CarepoolError(f"{code} is not a partner of {stored.agreement.name}")
    if kind not in PAYMENT_KINDS:
        raise CarepoolError(f"kind: expected one of {', '.join(PAYMENT_KINDS)}, got {kind!r}")
    if not 1 <= len(reference) <= 100:
        raise CarepoolError("a payment needs a reference of 1 to 100 characters (e.g. Q1-QRV)")
    # A replay is answered before the date rule, so a payment recorded before that rule existed still replays.
    existing = uow.session.execute(select(PoolPaymentRow).where(
        PoolPaymentRow.agreement_id == stored.id, PoolPaymentRow.reference == reference)).scalar_one_or_none()
    if existing is not None:
        if (existing.partner_code, existing.kind, existing.on, existing.amount) == (code, kind, on, amount):
            return dataclasses.replace(_payment(existing), replayed=True)
        raise conflict(f"payment reference {reference} is already used for another payment")
    chart = stored.chart
    # After settlement Due and Settlement together hold what the partner owes (statements settled before the unpaid
    # contribution moved to Settlement left it in Due), and a settlement payment pays all of it.
    owed = ledger.balance(uow=uow, code=chart.due(code))
    if stored.settled:
        owed += ledger.balance(uow=uow, code=chart.settlement(code))
        if kind == "contribution":
            where = f"owes the pool {owed}" if owed.pence >= 0 else f"is owed {-owed} by the pool"
            raise CarepoolError(f"kind: the year has been settled, so what {stored.agreement.partner_name(code)} "
                                f"still owes, any unpaid contribution included, is paid as a settlement payment "
                                f"(it {where})")
    today = uow.now().date()
    problem = _date_problem(stored, kind, on) or (
        f"a payment is recorded once it is received: {on.isoformat()} is after today, {today.isoformat()}"
        if on > today else None)
    if problem:
        raise CarepoolError(f"date: {problem}")
    account = chart.due(code) if kind == "contribution" else chart.settlement(code)
    problem = _outstanding_problem(stored, code, kind, amount, owed)
    if problem:
        raise CarepoolError(problem)
    what = "Contribution" if kind == "contribution" else "Settlement"
    ledger.post(uow=uow, actor=by.actor, draft=TransactionDraft(
        f"{chart.prefix}:payment:{reference}", on,
        f"{what} payment {reference} from {stored.agreement.partner_name(code)}",
        (Posting(chart.bank, amount), Posting(account, -amount))))
    row = PoolPaymentRow(agreement_id=stored.id, partner_code=code, kind=kind, on=on, amount=amount,
                         reference=reference, recorded_by=by.actor, recorded_at=uow.now())
    uow.session.add(row)
    audit.record(uow=uow, actor=by.actor, organisation=organisation_of(by, stored), action="pool.payment_recorded",
                 entity_type="pool_agreement", entity_id=str(stored.id),
                 after={"partner": code, "kind": kind, "on": on.isoformat(), "amount": amount.plain(),
                        "reference": reference})
    uow.commit()
    return _payment(row)
