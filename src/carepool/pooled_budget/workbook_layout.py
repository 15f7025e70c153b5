"""The layout checks every import of a hand-edited table gets (``core.tabular``), for the agreement workbook too:
a value under no header, a header heading two filled columns, or a hidden sheet leaves in doubt what the partners
agreed, so the workbook is refused, naming the sheet, row and column, before any of it is read."""

from __future__ import annotations

from pathlib import Path

from carepool.core import tabular
from carepool.core.errors import Problem
from carepool.pooled_budget.validation import error_from
from carepool.pooled_budget.workbook import AGREEMENT_SHEET, SHEETS

READ_SHEETS = (AGREEMENT_SHEET, *SHEETS)  # other sheets (instructions, notes) may be laid out as people like


def layout_problems(path: Path) -> list[Problem]:
    """Every layout problem of the sheets the agreement reader reads."""
    problems = [problem for sheet in tabular.read_xlsx(path) if sheet.name in READ_SHEETS
                for problem in sheet.layout_problems]
    return tabular.in_file_order(problems)


def check_layout(path: Path) -> None:
    """Raise naming every layout problem of the agreement workbook at ``path``, if it has any."""
    problems = layout_problems(path)
    if problems:
        raise error_from(problems)
