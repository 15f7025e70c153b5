"""Monthly monitoring: record actuals and commitments, post spend to the ledger, forecast the outturn.

A figure is one scheme's actual and commitments for one month from one partner's
ledger (the *source*). Recording it again with the same numbers changes nothing;
with a different actual, the **difference** is posted as a correction (the ledger
keeps every posting; nothing is edited). Each posting's idempotency key names the
agreement, scheme, month, source and revision, so a retried import never posts twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.core import tabular
from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money
from carepool.core.periods import FinancialMonth
from carepool.core.words import joined
from carepool.db.uow import UnitOfWork
from carepool.ledger import service as ledger
from carepool.ledger.model import Posting, TransactionDraft
from carepool.pooled_budget import monthly_io
from carepool.pooled_budget.forecast import Forecast, MonthFigure, forecast
from carepool.pooled_budget.monthly_io import Located
from carepool.pooled_budget.payments import paid_to_date
from carepool.pooled_budget.service import (
    StoredAgreement,
    Who,
    contribution_totals,
    get,
    organisation_of,
    require_active,
    require_writer,
)
from carepool.pooled_budget.tables import PoolForecastOverrideRow, PoolMonthlyRow
from carepool.pooled_budget.values import MOST


@dataclass(frozen=True)
class RecordSummary:
    rows: int
    new: int
    corrected: int
    unchanged: int
    spend_posted: Money  # net spend posted to the ledger by this import (corrections included)
    commitments_kept: int = 0  # rows without a commitments column: the recorded commitments were kept
    months: tuple[tuple[str, int], ...] = ()  # (month, rows of it) in month order

    @property
    def note(self) -> str | None:
        """A warning when the rows span months: one mistyped date moves "as at" for every scheme."""
        if len(self.months) < 2:
            return None
        spans = [f"{label} ({count} row{'s' if count != 1 else ''})" for label, count in self.months]
        return f"Note: this import has figures for {joined(spans)}; check the dates if that was not meant."

    def words(self) -> str:
        text = (f"{self.rows} figure{'s' if self.rows != 1 else ''} checked: {self.new} new, "
                f"{self.corrected} corrected, {self.unchanged} unchanged; spend posted to the ledger "
                f"{self.spend_posted}.")
        if self.commitments_kept:
            text += (f" {self.commitments_kept} of them came without a commitments column: their commitments "
                     "were kept as recorded (£0.00 for a new figure).")
        if self.note:
            text += f" {self.note}"
        return text


def last_day(month: FinancialMonth) -> date:
    first = month.first_day
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def figures(*, uow: UnitOfWork, stored: StoredAgreement) -> list[MonthFigure]:
    by_row = {row_id: scheme for scheme, row_id in stored.scheme_rows.items()}
    if not by_row:
        return []
    rows = uow.session.execute(select(PoolMonthlyRow).where(PoolMonthlyRow.scheme_row_id.in_(list(by_row)))
                               .order_by(PoolMonthlyRow.month, PoolMonthlyRow.scheme_row_id, PoolMonthlyRow.source))
    return [MonthFigure(by_row[r.scheme_row_id], r.month, r.source, r.actual, r.commitments) for r in rows.scalars()]


def below_zero(stored: StoredAgreement, recorded: Sequence[MonthFigure], located: Sequence[Located]) -> list[Problem]:
    """The imported rows that would take a scheme's actual spend for the year below zero, which no settlement
    can share: checked before anything is posted, so a refused import leaves nothing behind."""
    after = {(f.scheme, f.month, f.source): f.actual for f in recorded}
    before = dict(after)
    for item in located:
        f = item.figure
        after[(f.scheme, f.month, f.source)] = f.actual
    totals: dict[str, Money] = {}
    for (scheme, _month, _source), actual in after.items():
        totals[scheme] = totals.get(scheme, Money(0)) + actual
    problems = []
    for item in located:
        f = item.figure
        total = totals[f.scheme]
        if total.is_negative() and f.actual < before.get((f.scheme, f.month, f.source), Money(0)):
            problems.append(item.problem(
                f"{f.actual} would take the actual spend of {stored.scheme(f.scheme).name} for "
                f"{stored.agreement.year.label} to {total}, below zero, which no settlement can share; a refund "
                "is a negative actual, but no larger than what the scheme has spent (check the sign and units)",
                "actual"))
    return problems


def in_the_future(stored: StoredAgreement, located: Sequence[Located], today: date) -> list[Problem]:
    """The rows for a month that has not begun: one such figure would move the whole pool's "as at" month ahead
    and project the year from a month nobody has spent in yet."""
    this_month = today.replace(day=1)
    now_label = FinancialMonth.containing(today).label
    problems = []
    for item in located:
        month = FinancialMonth(stored.agreement.year, item.figure.month)
        if month.first_day > this_month:
            problems.append(item.problem(
                f"{month.label} has not begun (today is in {now_label}): record a month's figures once it has "
                "started; check the month", "month"))
    return problems


def _record(uow: UnitOfWork, by: Who, stored: StoredAgreement, located: Sequence[Located], what: str,
            problems: Sequence[Problem] = ()) -> RecordSummary:
    """Store the figures, or refuse them all naming every problem: those found reading (``problems``) together
    with the rows that are in the future or would take a scheme's year below zero, in one pass."""
    recorded = figures(uow=uow, stored=stored)
    tabular.check([*problems, *in_the_future(stored, located, uow.now().date()),
                   *below_zero(stored, recorded, located)], "monthly actuals")
    chart, year = stored.chart, stored.agreement.year
    new = corrected = unchanged = kept = 0
    posted = Money(0)
    for item in located:
        f = item.figure
        row_id = stored.scheme_rows[f.scheme]
        row = uow.session.execute(select(PoolMonthlyRow).where(
            PoolMonthlyRow.scheme_row_id == row_id, PoolMonthlyRow.month == f.month,
            PoolMonthlyRow.source == f.source)).scalar_one_or_none()
        commitments = f.commitments
        if not item.commitments_given:
            kept += 1
            commitments = row.commitments if row is not None else Money(0)
        if row is not None and (row.actual, row.commitments) == (f.actual, commitments):
            unchanged += 1
            continue
        difference = f.actual - (row.actual if row is not None else Money(0))
        revision = row.revision if row is not None else 0
        if difference:
            revision += 1
            month = FinancialMonth(year, f.month)
            scheme = stored.scheme(f.scheme)
            source = stored.agreement.partner_name(f.source)
            text = (f"{scheme.name}, {month.label}: actual from {source}'s ledger" if revision == 1 else
                    f"{scheme.name}, {month.label}: correction {revision - 1} of the actual from {source}'s ledger")
            ledger.post(uow=uow, actor=by.actor, draft=TransactionDraft(
                f"{chart.prefix}:actual:{f.scheme}:{month.first_day:%Y-%m}:{f.source}:{revision}", last_day(month),
                text, (Posting(stored.spend_accounts[f.scheme], difference), Posting(chart.creditors, -difference))))
            posted += difference
        if row is None:
            new += 1
            uow.session.add(PoolMonthlyRow(scheme_row_id=row_id, month=f.month, source=f.source, actual=f.actual,
                                           commitments=commitments, revision=revision, updated_at=uow.now(),
                                           updated_by=by.actor))
        else:
            corrected += 1
            row.actual, row.commitments, row.revision = f.actual, commitments, revision
            row.updated_at, row.updated_by = uow.now(), by.actor
        uow.session.flush()
    counts = Counter(item.figure.month for item in located)
    months = tuple((FinancialMonth(year, n).label, counts[n]) for n in sorted(counts))
    summary = RecordSummary(len(located), new, corrected, unchanged, posted, kept, months)
    audit.record(uow=uow, actor=by.actor, organisation=organisation_of(by, stored), action="pool.actuals_recorded",
                 entity_type="pool_agreement", entity_id=str(stored.id),
                 after={"from": what, "rows": summary.rows, "new": new, "corrected": corrected,
                        "unchanged": unchanged, "spend_posted": posted.plain(), "commitments_kept": kept,
                        "schemes": sorted({stored.scheme(i.figure.scheme).name for i in located}),
                        "months": [label for label, _ in months],
                        "sources": sorted({stored.agreement.partner_name(i.figure.source) for i in located})})
    uow.commit()
    return summary


def _writable(uow: UnitOfWork, by: Who, agreement_id: int) -> StoredAgreement:
    stored = get(uow=uow, agreement_id=agreement_id, by=by, for_update=True)
    require_writer(stored, by)
    require_active(stored)
    return stored


def import_files(*, uow: UnitOfWork, by: Who, agreement_id: int, paths: Sequence[Path]) -> RecordSummary:
    """Import one or more ledger exports in one go: every row is checked first; one bad row, nothing stored."""
    stored = _writable(uow, by, agreement_id)
    located, problems = monthly_io.gather_figures(paths, stored.agreement)
    return _record(uow, by, stored, located, ", ".join(p.name for p in paths), problems)


def record_entries(*, uow: UnitOfWork, by: Who, agreement_id: int, entries: Sequence[dict[str, object]],
                   what: str = "entries") -> RecordSummary:
    """Figures typed into the page or sent to the API (same columns and checks as a file)."""
    stored = _writable(uow, by, agreement_id)
    located, problems = monthly_io.gather_entries(entries, stored.agreement, what=what)
    return _record(uow, by, stored, located, what, problems)


def overrides(*, uow: UnitOfWork, stored: StoredAgreement) -> dict[str, Money]:
    by_row = {row_id: scheme for scheme, row_id in stored.scheme_rows.items()}
    rows = uow.session.execute(select(PoolForecastOverrideRow).where(
        PoolForecastOverrideRow.scheme_row_id.in_(list(by_row)))).scalars()
    return {by_row[r.scheme_row_id]: r.amount for r in rows}


def set_forecast(*, uow: UnitOfWork, by: Who, agreement_id: int, scheme: str, amount: Money | None,
                 note: str = "") -> str:
    """Set a scheme's manual forecast outturn (it overrides the run rate) saying why, or clear it with ``None``;
    what was done, in words."""
    stored = _writable(uow, by, agreement_id)
    row_id = stored.scheme_rows.get(scheme)
    if row_id is None:
        raise CarepoolError(f"there is no scheme {scheme} in {stored.agreement.name}", kind="not_found")
    note = note.strip()
    if amount is not None and not note:
        raise CarepoolError("why: say why the forecast outturn differs from the run rate (e.g. \"two new "
                            "placements from October\"); a manual forecast needs a reason the partners can read")
    if amount is not None and amount.is_negative():
        raise CarepoolError(f"a forecast outturn cannot be below zero, got {amount}")
    if amount is not None and amount > MOST:
        raise CarepoolError(f"a forecast outturn can be at most {MOST}, got {amount}")
    row = uow.session.get(PoolForecastOverrideRow, row_id)
    before = None if row is None else {"amount": row.amount.plain(), "note": row.note}
    if amount is None:
        if row is not None:
            uow.session.delete(row)
    elif row is None:
        uow.session.add(PoolForecastOverrideRow(scheme_row_id=row_id, amount=amount, note=note[:500],
                                                set_by=by.actor, set_at=uow.now()))
    else:
        row.amount, row.note, row.set_by, row.set_at = amount, note[:500], by.actor, uow.now()
    audit.record(uow=uow, actor=by.actor, organisation=organisation_of(by, stored), action="pool.forecast_set",
                 entity_type="pool_scheme", entity_id=f"{stored.id}:{scheme}", before=before,
                 after=None if amount is None else {"amount": amount.plain(), "note": note[:500]})
    uow.commit()
    name = stored.scheme(scheme).name
    if amount is None:
        return f"Forecast outturn for {name} cleared: it is worked out from the run rate again."
    return f"Forecast outturn for {name} set to {amount}: {note[:500]}"


@dataclass(frozen=True)
class Monitoring:
    """What a partner sees each month: the forecast and where each partner stands."""

    stored: StoredAgreement
    forecast: Forecast
    contributions: dict[str, Money]  # each partner's contribution for the year (schemes + contingency)
    paid: dict[str, Money]  # contribution payments received so far
    figure_count: int

    @property
    def outstanding(self) -> dict[str, Money]:
        return {code: self.contributions[code] - self.paid[code] for code in self.contributions}


def monitor(*, uow: UnitOfWork, by: Who, agreement_id: int, as_at: int | None = None) -> Monitoring:
    stored = get(uow=uow, agreement_id=agreement_id, by=by)
    found = figures(uow=uow, stored=stored)
    result = forecast(stored.agreement, found, manual=overrides(uow=uow, stored=stored), as_at=as_at,
                      client_groups=stored.definition.client_groups)
    return Monitoring(stored, result, contribution_totals(stored.agreement), paid_to_date(uow=uow, stored=stored),
                      len(found))

