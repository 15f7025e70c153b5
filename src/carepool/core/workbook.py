"""Workbooks people are happy to open: bold frozen headers, sensible widths, filters; and text that a spreadsheet
will show, never run.

Names and descriptions come from people (a provider names itself when it registers), and a spreadsheet runs a
cell that starts with ``=`` (``+``, ``-`` or ``@`` too, in a CSV file) as a formula: ``=HYPERLINK(...)`` in a
variation's description would send the figures beside it to another site when a partner opens the workbook.
So workbooks store every text cell as text, and CSV files put a ``'`` before such text (numbers such as
``-1334.18`` are left as they are).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?£?(\d[\d,]*)?(\.\d+)?%?", re.ASCII)


def inert(value: Any) -> Any:
    """A value for a CSV cell: text a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def inert_rows(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """Rows for ``csv.writer.writerows``, each cell ``inert``."""
    return [[inert(cell) for cell in row] for row in rows]


POUNDS = '"£"#,##0.00;-"£"#,##0.00'  # money cells: exact Decimals shown as pounds, negatives with a minus
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="005EB8")  # NHS blue


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def add_table_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
    number_formats: dict[str, str] | None = None,
) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl took text starting with "=" for a formula: keep it text
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1])) for r in rows[:500] if len(r) >= index])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        fmt = (number_formats or {}).get(header)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
