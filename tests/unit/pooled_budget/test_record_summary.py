"""The words shown after monthly figures are recorded."""

from __future__ import annotations

from carepool.core.money import Money
from carepool.pooled_budget.monitoring import RecordSummary


def test_figures_of_one_month_need_no_note() -> None:
    summary = RecordSummary(8, 8, 0, 0, Money(100), months=(("Jun 2025", 8),))
    assert summary.note is None and "Note" not in summary.words()


def test_figures_spanning_months_are_counted_month_by_month() -> None:
    summary = RecordSummary(10, 10, 0, 0, Money(100), months=(("May 2025", 1), ("Jun 2025", 8), ("Jul 2025", 1)))
    assert summary.words().endswith(
        " Note: this import has figures for May 2025 (1 row), Jun 2025 (8 rows) and Jul 2025 (1 row); check the "
        "dates if that was not meant.")
