"""Each partner's position as one table, forecast or settled, for the command line and the monitoring workbook.

The overview page shows the same table: before settlement, each partner's contribution, what it has paid and
still has to pay, and its *forecast* shares; once settled, its *settled* shares, the contribution it had not paid
at the year end (now part of what it owes on the settlement, since contribution payments are refused), what it
has paid since, and what it owes (+) or is owed (−) **now**, the ``outstanding`` of ``GET …/settlement``. One
function builds it, so the command line, the workbook and the page agree to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass

from carepool.core.money import Money
from carepool.pooled_budget.monitoring import Monitoring
from carepool.pooled_budget.yearend import Statement


@dataclass(frozen=True)
class Column:
    key: str  # the workbook's column name
    label: str  # the heading people read


@dataclass(frozen=True)
class PartnerTable:
    settled: bool
    title: str
    columns: tuple[Column, ...]  # the money columns, after the partner's code and name
    rows: tuple[tuple[str, str, tuple[Money, ...]], ...]  # (code, name, amounts) in the agreement's order

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


FORECAST = (Column("contribution", "contribution"), Column("paid_to_date", "paid to date"),
            Column("still_to_pay", "still to pay"), Column("forecast_overspend_share", "forecast overspend share"),
            Column("forecast_underspend_share", "forecast underspend share"),
            Column("forecast_final_cost", "forecast final cost"))
SETTLED = (Column("contribution", "contribution"), Column("contributions_paid", "contributions paid"),
           Column("unpaid_at_year_end", "unpaid at year end"),
           Column("settled_overspend_share", "settled overspend share"),
           Column("settled_underspend_share", "settled underspend share"),
           Column("settled_final_cost", "settled final cost"),
           Column("paid_since_settlement", "paid since settlement"),
           Column("owes_or_owed_now", "owes (+) / owed (−) now"))


def partner_table(m: Monitoring, statement: Statement | None) -> PartnerTable:
    """The partners' table of ``m``: the settled view once ``statement`` exists, the forecast view before."""
    outcome = {p.code: p for p in m.forecast.outcome.partners}
    if statement is None:
        rows = tuple((p.code, p.name, (m.contributions[p.code], m.paid[p.code], m.outstanding[p.code],
                                       outcome[p.code].overspend_share, outcome[p.code].underspend_share,
                                       outcome[p.code].final_cost))
                     for p in m.stored.agreement.partners)
        return PartnerTable(False, "Partners (forecast shares under the agreed rules)", FORECAST, rows)
    lines = {line.code: line for line in statement.partners}
    rows = tuple((p.code, p.name, (lines[p.code].contribution, lines[p.code].paid, lines[p.code].unpaid_contribution,
                                   lines[p.code].overspend_share, lines[p.code].underspend_share,
                                   lines[p.code].final_cost, lines[p.code].paid_since, lines[p.code].outstanding))
                 for p in m.stored.agreement.partners)
    return PartnerTable(True, "Partners (settled shares under the agreed rules, and what each owes or is owed now)",
                        SETTLED, rows)
