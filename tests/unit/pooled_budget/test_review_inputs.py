"""Inputs a review found slipping through: month cells that are no real date, a year carepool cannot hold, a
header-only actuals file, and a capped rule's excess said in words a finance director reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepool.core.errors import CarepoolError
from carepool.core.periods import FinancialYear
from carepool.pooled_budget.definition import describe_rule
from carepool.pooled_budget.io import agreement_from_json
from carepool.pooled_budget.model import Capped, Excess, Proportional
from carepool.pooled_budget.monthly_io import month_in_year, read_figures
from tests.unit.pooled_budget.pool_builders import COUNCIL, ICB, herefordshire, m, pool, scheme

YEAR = FinancialYear(2025)


@pytest.mark.parametrize("cell", ["0000-04", "2025-06-45", "2025-02-30", "2025-13", "2025-00", "Apr 0000"])
def test_a_month_cell_that_is_no_real_date_is_named(cell: str) -> None:
    with pytest.raises(CarepoolError) as refused:
        month_in_year(cell, YEAR)
    assert refused.value.message == (f"{cell!r} is not a real date: expected a month like 2025-04 or Apr 2025 "
                                     "(or a whole date such as 2025-06-30)")


def test_a_whole_date_in_the_month_is_still_read_as_its_month() -> None:
    assert month_in_year("2025-06-30", YEAR) == 3 and month_in_year("2026-02-28", YEAR) == 11


@pytest.mark.parametrize("text", ["0000/01", "1998/99", "2101/02", "9999/00"])
def test_a_financial_year_outside_1999_to_2100_is_refused(text: str) -> None:
    with pytest.raises(CarepoolError) as refused:
        FinancialYear.parse(text)
    assert refused.value.message == (f"{text!r} is not a financial year carepool can hold: expected a year from "
                                     "1999/00 to 2100/01")


def test_the_bounds_themselves_are_years() -> None:
    assert FinancialYear.parse("1999/00").last_day.year == 2000
    assert FinancialYear.parse("2100/01").last_day.year == 2101


def test_an_agreement_file_with_year_0000_names_the_field() -> None:
    data = herefordshire()
    data["year"] = "0000/01"
    with pytest.raises(CarepoolError) as refused:
        agreement_from_json(data)
    assert str(refused.value) == ("field year: '0000/01' is not a financial year carepool can hold: expected a "
                                  "year from 1999/00 to 2100/01")


def test_a_header_only_actuals_file_is_refused_by_name(tmp_path: Path) -> None:
    empty = tmp_path / "icb-april.csv"
    empty.write_text("scheme_id,month,source,actual\n", encoding="utf-8")
    agreement = pool(scheme("ICES", {COUNCIL: "1000", ICB: "1000"}, "0"))
    with pytest.raises(CarepoolError) as refused:
        read_figures([empty], agreement)
    assert [str(p) for p in refused.value.problems] == [
        "icb-april.csv, row 2: give at least one monthly figure: there is a header row but no figures under it"]


def test_a_capped_rule_says_where_the_excess_goes_in_plain_words() -> None:
    agreement = pool(scheme("LD", {COUNCIL: "600000", ICB: "400000"}, "0"))
    caps = {ICB: m("25000.00")}
    assert describe_rule(Capped(Proportional(), caps, Excess.HOST), agreement) == (
        "proportional, capped (NHS Herefordshire and Worcestershire ICB at £25,000.00); anything above a cap is "
        "paid by the host, Herefordshire Council")
    assert describe_rule(Capped(Proportional(), caps, Excess.UNALLOCATED), agreement) == (
        "proportional, capped (NHS Herefordshire and Worcestershire ICB at £25,000.00); anything above a cap is "
        "left for the partnership board to decide")
