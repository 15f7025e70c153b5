"""Monthly figures from ledger exports: months read safely, every bad row named, nothing half-read."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from carepool.core.errors import CarepoolError
from carepool.core.periods import FinancialYear
from carepool.pooled_budget.forecast import MonthFigure
from carepool.pooled_budget.monthly_io import month_in_year, read_entries, read_figures, write_figures
from tests.unit.pooled_budget.pool_builders import COUNCIL, ICB, m, pool, scheme

YEAR = FinancialYear(2024)


@pytest.mark.parametrize(("cell", "month"), [("2024-04", 1), ("Apr 2024", 1), ("March 2025", 12), ("Jan-25", 10),
                                             (datetime(2024, 9, 30), 6), ("2024-12-01", 9)])
def test_months_in_the_year(cell: object, month: int) -> None:
    assert month_in_year(cell, YEAR) == month


def test_ambiguous_or_outside_months_are_refused() -> None:
    with pytest.raises(CarepoolError, match="a bare number is ambiguous"):
        month_in_year("4", YEAR)
    with pytest.raises(CarepoolError, match="Mar 2024 is not in 2024/25"):
        month_in_year("2024-03", YEAR)


def agreement() -> object:
    return pool(scheme("ICES", {COUNCIL: "1000", ICB: "1000"}, "0"))


def test_write_then_read_both_formats(tmp_path: Path) -> None:
    figures = [MonthFigure("ICES", 1, COUNCIL, m("1234.56"), m("10.00")), MonthFigure("ICES", 2, ICB, m("0.10"))]
    write_figures(tmp_path / "a.xlsx", figures[:1], YEAR)
    write_figures(tmp_path / "b.csv", figures[1:], YEAR)
    read = read_figures([tmp_path / "a.xlsx", tmp_path / "b.csv"], agreement())
    assert [r.figure for r in read] == figures


def test_every_bad_row_is_named_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("scheme_id,month,source,actual\nICES,2024-04,E06000019,100.00\nXYZ,2024-05,QGH,1\n"
                    "ICES,2024-06,QGH,abc\nICES,2024-04,E06000019,5\n", encoding="utf-8")
    with pytest.raises(CarepoolError) as error:
        read_figures([path], agreement())
    text = str(error.value)
    assert "monthly actuals: 3 problems; nothing was imported" in text
    assert "ledger.csv, row 3, column scheme_id: there is no scheme XYZ" in text
    assert "ledger.csv, row 4, column actual: expected an amount" in text
    assert "ledger.csv, row 5, column month: scheme ICES, this month and source E06000019 are already given" in text


def test_entries_are_checked_like_a_file() -> None:
    with pytest.raises(CarepoolError, match="form, row 1, column source"):
        read_entries([{"scheme_id": "ICES", "month": "2024-04", "source": "QXX", "actual": "1"}], agreement(),
                     what="form")


def test_a_file_without_a_commitments_column_says_nothing_about_commitments(tmp_path: Path) -> None:
    (tmp_path / "actuals.csv").write_text("scheme_id,month,source,actual\nICES,2024-04,QGH,5\n", encoding="utf-8")
    (tmp_path / "both.csv").write_text("scheme_id,month,source,actual,commitments\nICES,2024-05,QGH,5,\n",
                                       encoding="utf-8")
    actuals_only, both = read_figures([tmp_path / "actuals.csv", tmp_path / "both.csv"], agreement())
    assert not actuals_only.commitments_given
    assert both.commitments_given and both.figure.commitments == m("0")  # an empty cell is nothing committed
    typed = read_entries([{"scheme_id": "ICES", "month": "2024-04", "source": "QGH", "actual": "1",
                           "commitments": None}], agreement())
    assert not typed[0].commitments_given
    mixed = read_entries([{"scheme_id": "ICES", "month": "2024-04", "source": "QGH", "actual": "1",
                           "commitments": "500"},
                          {"scheme_id": "ICES", "month": "2024-05", "source": "QGH", "actual": "1"}], agreement())
    assert [item.commitments_given for item in mixed] == [True, False]  # each entry speaks for itself


def test_amounts_beyond_ten_billion_pounds_are_named(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("scheme_id,month,source,actual,commitments\nICES,2024-04,QGH,10000000000.00,-10000000000.01\n"
                    f"ICES,2024-05,QGH,{'9' * 5000},0\n", encoding="utf-8")
    with pytest.raises(CarepoolError) as error:
        read_figures([path], agreement())
    problems = [str(p) for p in error.value.problems]
    assert problems[0] == ("ledger.csv, row 2, column commitments: expected an amount of at most £10,000,000,000.00 "
                           "either way, got '-10000000000.01'; check for a typo or a figure in the wrong units")
    assert problems[1].startswith("ledger.csv, row 3, column actual: expected an amount of at most")


def test_negative_commitments_are_refused_with_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("scheme_id,month,source,actual,commitments\nICES,2024-04,QGH,100.00,-50\n"
                    "ICES,2024-05,QGH,100.00,0\n", encoding="utf-8")
    with pytest.raises(CarepoolError) as error:
        read_figures([path], agreement())
    assert [str(p) for p in error.value.problems] == [
        "ledger.csv, row 2, column commitments: commitments cannot be below zero, got -£50.00"]
    with pytest.raises(CarepoolError, match="form, row 1, column commitments: commitments cannot be below zero"):
        read_entries([{"scheme_id": "ICES", "month": "2024-04", "source": ICB, "actual": "1", "commitments": "-1"}],
                     agreement(), what="form")


def test_scheme_ids_are_read_in_any_case_as_the_agreement_spells_them(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("scheme_id,month,source,actual\nices,2024-04,qgh,100.00\n Ices ,2024-05,QGH,1\n",
                    encoding="utf-8")
    assert [(r.figure.scheme, r.figure.source) for r in read_figures([path], agreement())] == [
        ("ICES", ICB), ("ICES", ICB)]
    path.write_text("scheme_id,month,source,actual\nices,2024-04,QGH,100.00\nICES,2024-04,QGH,1\n", encoding="utf-8")
    with pytest.raises(CarepoolError, match="row 3, column month: scheme ICES, this month and source QGH are alr"):
        read_figures([path], agreement())


def test_a_workbook_that_is_empty_or_a_renamed_csv_is_named_as_such(tmp_path: Path) -> None:
    empty = tmp_path / "june.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(CarepoolError) as error:
        read_figures([empty], agreement())
    assert [str(p) for p in error.value.problems] == ["june.xlsx: the file is empty"]
    renamed = tmp_path / "july.xlsx"
    renamed.write_text("scheme_id,month,source,actual\nICES,2024-04,QGH,100.00\n", encoding="utf-8")
    with pytest.raises(CarepoolError) as error:
        read_figures([renamed], agreement())
    # one of the import's problems, so the other files given with it are still checked
    assert [str(p) for p in error.value.problems] == [
        "july.xlsx: not an Excel workbook (.xlsx); if it is a CSV file, give it a .csv name"]


def test_a_formula_excel_never_saved_a_value_for_is_named_not_called_empty(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Actuals"
    sheet.append(["scheme_id", "month", "source", "actual", "commitments"])
    sheet.append(["ICES", "2024-04", ICB, "=40+60", "=10*2"])  # openpyxl saves formulas with no values
    sheet.append(["ICES", "2024-05", ICB, None, 5])
    book.save(tmp_path / "ledger.xlsx")
    with pytest.raises(CarepoolError) as error:
        read_figures([tmp_path / "ledger.xlsx"], agreement())
    formula = "is a formula with no saved value: open the file in Excel and save it"
    assert [str(p) for p in error.value.problems] == [
        f"ledger.xlsx, sheet Actuals, row 2, column actual: {formula}",
        f"ledger.xlsx, sheet Actuals, row 2, column commitments: {formula}",
        "ledger.xlsx, sheet Actuals, row 3, column actual: is empty"]
