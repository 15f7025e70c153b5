"""Monthly monitoring and the forecast outturn. Pure: no files, no database.

For each scheme, at the latest month with actuals (the "as at" month):

    forecast outturn = actual to date + commitments
                       + remaining months x average monthly actual of the last three months

(fewer than three months in: the average of those there are). Commitments are the
figures reported for the as-at month. A manual forecast overrides the formula; before
any actuals the forecast is the budget. Once a scheme has actuals for every month to
March, its outturn is its actual for the year: commitments and manual forecasts no longer
count, and the forecast agrees with the year-end settlement (a scheme with a month
missing keeps the formula, and the year settles only when none is missing). Each partner's forecast share of
the over- or underspend is ``settle()`` run with the forecast outturn as the actual, so
forecasts and the year-end settlement can never follow different rules.

A forecast outturn below zero (say a large refund followed by a falling run rate) is
shown as it is, with a warning; no settlement can share it, so the forecast shares
count that scheme at £0 until its figures are put right.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from carepool.core.errors import CarepoolError
from carepool.core.money import Money, Rounding
from carepool.core.periods import FinancialMonth
from carepool.pooled_budget.model import Agreement, Scheme, SettlementResult
from carepool.pooled_budget.settlement import settle

MONTHS = 12
RUN_RATE_MONTHS = 3
YEAR_COMPLETE = "actual (year complete)"  # every month of the year is in: the outturn is the actual
# how the explanation names each basis's figure: only a complete year's is "actual"
OUTTURN_WORDS = {YEAR_COMPLETE: "actual for the year", "manual": "forecast outturn (set by hand)",
                 "budget (no actuals yet)": "forecast outturn (the budget: no actuals yet)"}


@dataclass(frozen=True)
class MonthFigure:
    """One scheme's figures for one month from one source ledger (a partner's code)."""

    scheme: str
    month: int  # 1 = April .. 12 = March
    source: str
    actual: Money
    commitments: Money = field(default_factory=Money.zero)

    def __post_init__(self) -> None:
        if not 1 <= self.month <= MONTHS:
            raise CarepoolError(f"month {self.month} is outside a financial year (1 = April .. 12 = March)")


@dataclass(frozen=True)
class SchemeForecast:
    id: str
    name: str
    client_group: str
    budget: Money
    monthly: tuple[Money, ...]  # actual per month, every source added; zero after the as-at month
    actual_to_date: Money
    commitments: Money
    run_rate: Money  # average monthly actual of the last three months, to the penny (for reading)
    remaining_months: int
    projected: Money  # remaining months x run rate, rounded once
    manual: Money | None
    forecast: Money
    basis: str  # "run rate", "manual", "budget (no actuals yet)" or YEAR_COMPLETE
    recorded: frozenset[int] = frozenset()  # the months (1 = April) with a figure, zero included

    @property
    def variance(self) -> Money:
        """Forecast outturn minus budget: positive is a forecast overspend."""
        return self.forecast - self.budget


@dataclass(frozen=True)
class Forecast:
    agreement: Agreement  # every scheme's actual is its forecast outturn (£0.00 where that is below zero)
    as_at: int  # 0 when no month has actuals yet
    schemes: tuple[SchemeForecast, ...]
    outcome: SettlementResult  # the settlement the forecast outturn would give
    warnings: tuple[str, ...] = ()  # what a reader must know before trusting the figures
    complete: bool = False  # every scheme has actuals for all twelve months: the outturn is the year's actuals

    @property
    def as_at_label(self) -> str:
        if not self.as_at:
            return "before the first month's actuals"
        return FinancialMonth(self.agreement.year, self.as_at).label

    def total(self, attribute: str) -> Money:
        return Money.sum(getattr(s, attribute) for s in self.schemes)


def latest_month(figures: Iterable[MonthFigure]) -> int:
    """The "as at" month: the latest with a figure that says something. A figure set to zero (actual and
    commitments) is how a figure is removed, so it does not move the pool on to its month."""
    return max((f.month for f in figures if f.actual or f.commitments), default=0)


def months_recorded(figures: Iterable[MonthFigure], scheme: str) -> frozenset[int]:
    """The months with a figure for ``scheme`` from any source (zero included): a month without one has no
    figure yet, which a table must not show as £0.00."""
    return frozenset(f.month for f in figures if f.scheme == scheme)


def monthly_actuals(figures: Iterable[MonthFigure], scheme: str, as_at: int) -> tuple[Money, ...]:
    pence = [0] * MONTHS
    for figure in figures:
        if figure.scheme == scheme and figure.month <= as_at:
            pence[figure.month - 1] += figure.actual.pence
    return tuple(Money(p) for p in pence)


def months_missing(scheme: Scheme, figures: Iterable[MonthFigure]) -> list[int]:
    """The months of the year (1 = April) with no actuals for ``scheme`` from any partner's ledger. A scheme's
    spend may sit in either ledger, so one figure a month (0 for no spend) is enough; a scheme with no budget
    and no figures has nothing to settle, so it misses nothing."""
    months = {f.month for f in figures if f.scheme == scheme.id}
    if not months and not scheme.budget:
        return []
    return [n for n in range(1, MONTHS + 1) if n not in months]


def scheme_month(scheme: Scheme, figures: list[MonthFigure], as_at: int) -> int:
    """The month ``scheme``'s own forecast runs from: its latest figure that says something, up to the pool's
    ``as_at``. A scheme whose ledgers are a month behind another's is projected from its own months, not as if it
    had spent nothing in the month it has no figure for yet."""
    if as_at == MONTHS and not months_missing(scheme, figures):
        return MONTHS  # every month is in, March's zero included
    return max((f.month for f in figures if f.scheme == scheme.id and f.month <= as_at and (f.actual or f.commitments)),
               default=0)


def forecast_scheme(scheme: Scheme, figures: list[MonthFigure], *, as_at: int, manual: Money | None,
                    client_group: str = "") -> SchemeForecast:
    as_at = scheme_month(scheme, figures, as_at)
    monthly = monthly_actuals(figures, scheme.id, as_at)
    to_date = Money.sum(monthly)
    commitments = Money.sum(f.commitments for f in figures if f.scheme == scheme.id and f.month == as_at)
    window = monthly[max(as_at - RUN_RATE_MONTHS, 0):as_at]
    remaining = MONTHS - as_at
    recorded = months_recorded(figures, scheme.id)
    if not remaining and not months_missing(scheme, figures):
        return SchemeForecast(scheme.id, scheme.name, client_group, scheme.budget, monthly, to_date, commitments,
                              Money(0), 0, Money(0), manual, to_date, YEAR_COMPLETE, recorded)
    if window:
        window_total = Money.sum(window)
        run_rate = window_total.times(Fraction(1, len(window)), rounding=Rounding.HALF_UP)
        projected = window_total.times(Fraction(remaining, len(window)), rounding=Rounding.HALF_UP)
        formula, basis = to_date + commitments + projected, "run rate"
    else:
        run_rate = projected = Money(0)
        formula, basis = scheme.budget, "budget (no actuals yet)"
    if manual is not None:
        formula, basis = manual, "manual"
    return SchemeForecast(scheme.id, scheme.name, client_group, scheme.budget, monthly, to_date, commitments,
                          run_rate, remaining, projected, manual, formula, basis, recorded)


def forecast(agreement: Agreement, figures: Iterable[MonthFigure], *, manual: Mapping[str, Money] | None = None,
             as_at: int | None = None, client_groups: Mapping[str, str] | None = None) -> Forecast:
    """Every scheme's forecast outturn and each partner's forecast share under the agreed rules."""
    figures = list(figures)
    month = latest_month(figures) if as_at is None else as_at
    if as_at is None and figures and not any(months_missing(s, figures) for s in agreement.schemes):
        month = MONTHS  # every month is in, even if March's figures are all zero
    if not 0 <= month <= MONTHS:
        raise CarepoolError(f"as at month {month}: expected 0 to 12 (1 = April .. 12 = March)")
    manual = manual or {}
    groups = client_groups or {}
    schemes = tuple(forecast_scheme(s, figures, as_at=month, manual=manual.get(s.id),
                                    client_group=groups.get(s.id, "")) for s in agreement.schemes)
    warnings = tuple(f"the forecast outturn of {s.name} is {s.forecast}: below zero, which no settlement can "
                     "share; the forecast shares count it as £0.00 until its actuals and commitments are put right"
                     for s in schemes if s.forecast.is_negative())
    warnings += tuple(_behind(agreement, s, month) for s in schemes
                      if s.basis == "run rate" and MONTHS - s.remaining_months < month)
    at_forecast = dataclasses.replace(agreement, schemes=tuple(
        dataclasses.replace(s, actual=max(f.forecast, Money(0)))
        for s, f in zip(agreement.schemes, schemes, strict=True)))
    complete = month == MONTHS and all(s.basis == YEAR_COMPLETE for s in schemes)
    words = {s.id: OUTTURN_WORDS.get(s.basis, "forecast outturn") for s in schemes}
    return Forecast(at_forecast, month, schemes, settle(at_forecast, outturn_words=words), warnings, complete)


def _behind(agreement: Agreement, scheme: SchemeForecast, month: int) -> str:
    own = FinancialMonth(agreement.year, MONTHS - scheme.remaining_months).label
    return (f"{scheme.name} has figures only to {own}, while other schemes have "
            f"{FinancialMonth(agreement.year, month).label}: its forecast runs on from {own}; record its later "
            "months when its ledger has them")


def outturn(agreement: Agreement, figures: Iterable[MonthFigure]) -> Agreement:
    """The agreement with every scheme's actual set to its spend for the whole year."""
    figures = list(figures)
    totals = {s.id: Money.sum(monthly_actuals(figures, s.id, MONTHS)) for s in agreement.schemes}
    return dataclasses.replace(agreement, schemes=tuple(
        dataclasses.replace(s, actual=totals[s.id]) for s in agreement.schemes))
