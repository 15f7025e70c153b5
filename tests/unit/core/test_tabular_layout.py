"""A table whose cells leave in doubt which column a value belongs to is refused by name, never read half-right."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from carepool.core import tabular
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.core.tabular import Column

ACTUALS = [Column("scheme_id", tabular.text), Column("month", tabular.text), Column("source", tabular.text),
           Column("actual", tabular.money)]


def _read_csv(tmp_path: Path, name: str, body: str) -> tuple[list[int], list[int], list[str]]:
    """The clean rows' numbers, the doubtful rows' numbers and every problem, of a CSV file read as actuals."""
    (tmp_path / name).write_text(body)
    (sheet,) = tabular.read_tables(tmp_path / name)
    clean, incomplete, problems = tabular.read_all_rows(sheet, ACTUALS)
    return [n for n, _ in clean], [n for n, _ in incomplete], [str(p) for p in problems]


def test_an_unquoted_thousands_comma_is_named_not_read_as_one_pound(tmp_path: Path) -> None:
    clean, doubtful, problems = _read_csv(tmp_path, "icb-july.csv",
                                          "scheme_id,month,source,actual\nB,2025-07,QRV,1,234.56\nC,2025-07,QRV,5\n")
    assert clean == [3] and doubtful == [2]
    assert problems == [
        'icb-july.csv, row 2: has 5 values but the header has 4 columns: a comma inside a value splits it in two, '
        'so put such a value in quotes ("1,234.56") or write amounts without the thousands comma (1234.56)']


def test_a_quoted_thousands_comma_and_blank_trailing_cells_read_as_written(tmp_path: Path) -> None:
    (tmp_path / "ok.csv").write_text('scheme_id,month,source,actual\nB,2025-07,QRV,"1,234.56",,\n')
    (sheet,) = tabular.read_tables(tmp_path / "ok.csv")
    clean, problems = tabular.read_rows(sheet, ACTUALS)
    assert problems == [] and clean[0][1]["actual"] == Money.parse("1234.56")


def test_a_demand_line_with_an_unquoted_comma_in_its_hours_is_named(tmp_path: Path) -> None:
    """1,830 hours unquoted read as 1 hour at £830 an hour before."""
    from carepool.procurement.io import read_demand

    path = tmp_path / "brent.csv"
    path.write_text("member_code,service,locality_code,hours_per_week,baseline_price\n"
                    "E09000005,home-care,BRENT-HAR,1,830,23.40\n")
    demand = read_demand(path)
    assert demand.lines == []
    assert [str(p) for p in demand.problems] == [
        'brent.csv, row 2: has 6 values but the header has 5 columns: a comma inside a value splits it in two, so '
        'put such a value in quotes ("1,234.56") or write amounts without the thousands comma (1234.56)']


def test_a_header_used_twice_with_values_under_both_is_named(tmp_path: Path) -> None:
    clean, doubtful, problems = _read_csv(tmp_path, "dup.csv",
                                          "scheme_id,month,source,actual,actual\nA,2025-08,QRV,500.00,5.00\n")
    assert clean == [] and doubtful == [2]
    assert problems == ["dup.csv, row 1: the header 'actual' heads columns D and E, each with values: rename or "
                        "delete all but one, so it is clear which to read"]


def test_a_header_used_twice_with_values_under_one_only_reads_that_one(tmp_path: Path) -> None:
    clean, _, problems = _read_csv(tmp_path, "dup.csv",
                                   "scheme_id,month,source,actual,actual\nA,2025-08,QRV,,5.00\n")
    assert clean == [2] and problems == []


def test_a_column_with_values_but_no_header_is_named(tmp_path: Path) -> None:
    clean, doubtful, problems = _read_csv(tmp_path, "gap.csv",
                                          "scheme_id,,month,source,actual\nA,,2025-08,QRV,1\nA,x,2025-09,QRV,2\n")
    assert clean == [] and doubtful == [2, 3]
    assert problems == ["gap.csv, row 1: column B has values (the first in row 3) but no header: give it a header, "
                        "or delete its values"]


def _workbook(tmp_path: Path, *sheets: tuple[str, list[list[object]], str]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    book.create_sheet("Front")  # a workbook needs a visible sheet
    path = tmp_path / "actuals.xlsx"
    book.save(path)
    return path


def test_a_value_beyond_the_header_of_a_worksheet_is_named_by_its_column(tmp_path: Path) -> None:
    header = ["scheme_id", "month", "source", "actual"]
    path = _workbook(tmp_path, ("Actuals", [header, ["A", "2025-08", "QRV", 1], ["A", "2025-09", "QRV", 2, "net"]],
                                "visible"))
    sheet = next(s for s in tabular.read_tables(path) if s.name == "Actuals")
    clean, problems = tabular.read_rows(sheet, ACTUALS)
    assert clean == [] and [str(p) for p in problems] == [
        "actuals.xlsx, sheet Actuals, row 1: column E has values (the first in row 3) but no header: give it a "
        "header, or delete its values"]


@pytest.mark.parametrize(("state", "how"), [("hidden", "unhide it (right-click a sheet tab, Unhide)"),
                                            ("veryHidden", "make it visible (its Visible property")])
def test_a_hidden_sheet_is_named_not_imported(tmp_path: Path, state: str, how: str) -> None:
    path = _workbook(tmp_path, ("Old actuals", [["scheme_id", "month", "source", "actual"],
                                                ["A", "2025-08", "QRV", 1]], state))
    sheet = next(s for s in tabular.read_tables(path) if s.name == "Old actuals")
    clean, incomplete, problems = tabular.read_all_rows(sheet, ACTUALS)
    assert clean == [] and incomplete == [] and len(problems) == 1
    assert str(problems[0]).startswith(f"actuals.xlsx, sheet Old actuals: this sheet is hidden: {how}")
    assert str(problems[0]).endswith("to import its rows, or delete it")


def test_a_sheet_no_import_reads_may_be_laid_out_as_people_like(tmp_path: Path) -> None:
    """A hidden lookup list beside the data is not read, so it is no problem."""
    path = _workbook(tmp_path, ("Actuals", [["scheme_id", "month", "source", "actual"], ["A", "2025-08", "QRV", 1]],
                                "visible"),
                     ("Lists", [["", "x", "x"], ["QRV", "a", "b", "c"]], "hidden"))
    sheets = {s.name: s for s in tabular.read_tables(path)}
    assert tabular.read_rows(sheets["Actuals"], ACTUALS)[1] == []


@pytest.mark.parametrize(("typed", "expected"), [("1734", 1734), ("1,734", 1734), (" 1,000,000 ", 1_000_000),
                                                 ("-5", -5), (12.0, 12), (42, 42), ("1000000000", 10**9)])
def test_whole_number_reads_what_people_type(typed: object, expected: int) -> None:
    assert tabular.whole_number(typed) == expected


@pytest.mark.parametrize("typed", ["1,7,3,4", "17,34", "1,7344", "1\u00b23", "\u0661\u0662", "1_000", "1e3",
                                   "12.5", 12.5, True, "", "1,234,", float("nan")])
def test_whole_number_refuses_anything_else_by_saying_what_it_expected(typed: object) -> None:
    with pytest.raises(CarepoolError, match="expected a whole number like 1234 or 1,234"):
        tabular.whole_number(typed)


@pytest.mark.parametrize("typed", ["99999999999999999999999", "1" * 5000, 10**12, 1e300, "-1,000,000,001"])
def test_whole_number_refuses_a_count_beyond_a_billion(typed: object) -> None:
    with pytest.raises(CarepoolError, match=r"expected at most 1,000,000,000, got .*check for a typo"):
        tabular.whole_number(typed)


def test_year_is_a_whole_number_in_a_plausible_range() -> None:
    assert tabular.year("2026") == 2026
    for typed in ("0", "20260", "1899", "2201"):
        with pytest.raises(CarepoolError, match="expected a year from 1900 to 2200"):
            tabular.year(typed)
