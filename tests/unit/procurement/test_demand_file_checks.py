"""A demand file is refused whole when a figure is beyond anything real, or when it has no Demand sheet."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from carepool.core.money import Money
from carepool.procurement import io, validation
from carepool.procurement.model import DemandLine

HEADER = "member_code,service,locality_code,hours_per_week,baseline_price\n"
COLUMNS = ["member_code", "service", "locality_code", "hours_per_week", "baseline_price"]


def _csv(tmp_path: Path, rows: str, name: str = "demand.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows)
    return path


def _book(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "demand.xlsx"
    book.save(path)
    return path


def test_absurd_hours_and_prices_are_refused_naming_file_row_column_and_limit(tmp_path: Path) -> None:
    path = _csv(tmp_path, "E09000005,home-care,BRENT-KIL,1000000000,23.40\n"
                          "E09000005,night-care,BRENT-KIL,120,10000000\n"
                          "E09000009,home-care,EALING-ACT,900,22.80\n"
                          "E09000009,reablement,EALING-ACT,80,0\n")
    demand = io.read_demand(path)
    assert [str(p) for p in demand.problems] == [
        "demand.csv, row 2, column hours_per_week: 1,000,000,000.00 hours a week is more than any one line can be "
        "(at most 250,000.00 for one member's service in one locality); check it is not a slip",
        "demand.csv, row 3, column baseline_price: £10,000,000.00 an hour is more than any price of care today can "
        "be (at most £1,000.00); check it is not a slip, such as pence typed as pounds",
        "demand.csv, row 5, column baseline_price: must be above zero, got £0.00"]
    assert [line.row for line in demand.lines] == [4]  # only the plausible line reads clean
    assert sorted(key.row or 0 for key in demand.incomplete) == [2, 3, 5]  # the rest are still checked for where


def test_the_limits_themselves_are_allowed(tmp_path: Path) -> None:
    at_the_limits = DemandLine("E09000005", "home-care", "BRENT-KIL", validation.MOST_HOURS_A_WEEK,
                               validation.MOST_PRICE_AN_HOUR)
    assert validation.demand_problems(at_the_limits) == []
    beyond = DemandLine("E09000005", "home-care", "BRENT-KIL", Decimal("250000.01"), Money.parse("1000.01"))
    assert [column for column, _ in validation.demand_problems(beyond)] == ["hours_per_week", "baseline_price"]
    assert validation.demand_problems(DemandLine("E09000005", "home-care", "BRENT-KIL", Decimal(1),
                                                 validation.LEAST_PRICE_AN_HOUR)) == []
    pence = DemandLine("E09000005", "home-care", "BRENT-KIL", Decimal(600), Money.parse("0.99"))  # a slip
    assert validation.demand_problems(pence) == [("baseline_price", "£0.99 an hour is less than any price of care "
                                                  "today can be (at least £1.00); check it is not a slip, such as a "
                                                  "decimal point in the wrong place")]


def test_a_workbook_without_a_demand_sheet_says_so_and_names_the_sheets_it_has(tmp_path: Path) -> None:
    path = _book(tmp_path, {"Notes": [["Demand for 2026, see the Data sheet"]],
                            "Data": [COLUMNS, ["E09000005", "home-care", "BRENT-KIL", 600, 23.4]]})
    demand = io.read_demand(path)
    assert [str(p) for p in demand.problems] == [
        "demand.xlsx: no sheet called Demand; found Notes, Data: put the demand on a sheet called Demand, or start "
        "from the demand workbook the lot plan offers"]
    assert demand.lines == []


def test_the_demand_sheet_is_found_among_others_and_a_lone_sheet_of_demand_is_read(tmp_path: Path) -> None:
    row = ["E09000005", "home-care", "BRENT-KIL", 600, 23.4]
    among = io.read_demand(_book(tmp_path, {"Notes": [["read me"]], "demand": [COLUMNS, row]}))
    assert among.problems == [] and [(x.sheet, x.row) for x in among.lines] == [("demand", 2)]
    lone = io.read_demand(_book(tmp_path, {"Sheet1": [COLUMNS, row]}))  # a workbook made from scratch
    assert lone.problems == [] and [x.value.weekly_quantity for x in lone.lines] == [Decimal(600)]
    not_demand = io.read_demand(_book(tmp_path, {"Sheet1": [["name", "hours"], ["Brent", 600]]}))
    assert [str(p) for p in not_demand.problems] == [
        "demand.xlsx: no sheet called Demand; found Sheet1: put the demand on a sheet called Demand, or start from "
        "the demand workbook the lot plan offers"]


def test_csv_still_reads(tmp_path: Path) -> None:
    demand = io.read_demand(_csv(tmp_path, "E09000005,home-care,BRENT-KIL,600,23.40\n"))
    assert demand.problems == [] and [(x.sheet, x.row, x.value.baseline_price) for x in demand.lines] == [
        (None, 2, Money.parse("23.40"))]
