"""The blank agreement workbook a pool manager fills in (``carepool pool template``)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carepool.pooled_budget.model import OVERSPEND_RULES, UNDERSPEND_RULES
from carepool.pooled_budget.workbook import AGREEMENT_COLUMNS, AGREEMENT_SHEET, SHEETS, WHICH

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_MONEY = "#,##0.00"

INSTRUCTIONS = [
    "carepool pooled budget: a Section 75 agreement workbook",
    "",
    "Use it to store an agreement and run it through the year: on the web, Pooled budgets (/pool), 'Add an "
    "agreement'; or at the command line, carepool pool create THIS-FILE.xlsx --as YOUR-EMAIL.",
    "The agreement is then proposed: it takes effect when every other partner has accepted it in carepool. From then "
    "on the year's spend comes from the monthly figures (Monthly monitoring), not from this workbook.",
    "So leave the actual column on sheet Schemes empty. (Only for a one-off year-end sum outside carepool's "
    "records, fill in each scheme's actual spend for the year and run: carepool pool settle THIS-FILE.xlsx.)",
    "",
    "The whole workbook is checked first; any problem is reported with its sheet, row and column, and nothing is "
    "stored.",
    "Rows whose first cell starts with # are examples or comments and are ignored: overwrite or delete them.",
    "Keep every sheet visible and every value under its column's header: a value under no header, or two columns "
    "with the same header, is refused.",
    "Amounts are in pounds with at most 2 decimals (e.g. 282000.00). If a cell is a formula, wrap it in "
    "ROUND(..., 2).",
    "Shares are decimals that add up to exactly 1 (0.5, 0.3, 0.2) - not percentages.",
    "Partner codes: council GSS codes (e.g. E06000019) or NHS ODS codes (e.g. QGH); each partner must already be in "
    "carepool's partner directory, and is named as the directory names it.",
    "",
    "Agreement: one value per field: the agreement's name, the financial year (2024/25), the host "
    "partner's code, offset_across_schemes (yes/no), contingency_amount (leave empty if there is none).",
    "Partners: one row per partner: code, name, and its contingency_funding if there is a contingency "
    "(the funding must add up to contingency_amount).",
    "Schemes: one row per scheme: id, name, actual (leave empty: see above), the rules, and client_group (e.g. Older "
    "people) for the national register of pooled budgets.",
    "  overspend_rule: proportional (to contributions), fixed (shares on sheet Shares, which = overspend), "
    "lead (overspend_lead = the partner who bears it), capped (see below). Empty means proportional.",
    "  capped: split by cap_base (proportional, or shares from sheet Shares with which = cap_base), cut each "
    "partner down to its cap on sheet Caps, and send the excess to cap_excess: host or unallocated.",
    "  underspend_rule: proportional, fixed (Shares, which = underspend), lead (underspend_lead), or "
    "carry_forward (stays in the pool). Empty means proportional.",
    "Contributions: one row per scheme and partner: what the partner pays into the scheme for the year.",
    "Shares: scheme_id, which (overspend, underspend or cap_base), partner_code, share.",
    "Caps: scheme_id, partner_code, cap (the most that partner bears of that scheme's overspend).",
    "",
    "Changes once the agreement is active are variations, proposed and approved by every partner in carepool.",
    "The user guide (docs/pooled-budgets.md) explains each rule with worked numbers.",
]

_AGREEMENT_ROWS = [
    ("agreement", "Integrated equipment store", "the agreement's name"),
    ("year", "2024/25", "the financial year being settled"),
    ("host", "E06000019", "code of the partner that hosts the pool"),
    ("offset_across_schemes", "no", "yes: net overspends against underspends across schemes first"),
    ("contingency_amount", "20000.00", "empty if there is no contingency reserve"),
]
_EXAMPLES: dict[str, list[tuple[object, ...]]] = {
    "Partners": [("# E06000019", "Herefordshire Council", 10000), ("# QGH", "NHS Herefordshire and "
                                                                   "Worcestershire ICB", 10000)],
    "Schemes": [("# ICES", "Community equipment", None, "proportional", None, None, None, "proportional",
                 None, "Physical disability"),
                ("# REAB", "Reablement", None, "capped", None, "shares", "host", "carry_forward", None,
                 "Older people")],
    "Contributions": [("# ICES", "E06000019", 282000), ("# ICES", "QGH", 282000)],
    "Shares": [("# REAB", "cap_base", "E06000019", 0.6), ("# REAB", "cap_base", "QGH", 0.4)],
    "Caps": [("# REAB", "QGH", 50000)],
}
EXTRA_COLUMNS = {"Schemes": ("client_group",)}  # read when an agreement is stored; `pool settle` ignores them
_MONEY_COLUMNS = {"contingency_funding", "actual", "amount", "cap"}
_CHOICES = {
    "overspend_rule": OVERSPEND_RULES,
    "underspend_rule": UNDERSPEND_RULES,
    "cap_base": ("proportional", "shares"),
    "cap_excess": ("host", "unallocated"),
    "which": WHICH,
}


def _header(sheet: Worksheet, columns: tuple[str, ...]) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    sheet.freeze_panes = "A2"
    for index, name in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(14, len(name) + 4)


def _choices(sheet: Worksheet, columns: tuple[str, ...]) -> None:
    for index, name in enumerate(columns):
        if name in _CHOICES:
            letter = chr(ord("A") + index)
            check = DataValidation(type="list", formula1=f'"{",".join(_CHOICES[name])}"', allow_blank=True)
            check.error = f"choose one of {', '.join(_CHOICES[name])}"
            sheet.add_data_validation(check)
            check.add(f"{letter}2:{letter}1000")
        if name in _MONEY_COLUMNS:
            sheet.column_dimensions[chr(ord("A") + index)].number_format = _MONEY


def write_template(path: Path) -> None:
    _template().save(path)


def template_bytes() -> bytes:
    """The template as an .xlsx file's bytes, for a download."""
    buffer = io.BytesIO()
    _template().save(buffer)
    return buffer.getvalue()


def _template() -> Workbook:
    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = "Instructions"
    intro.column_dimensions["A"].width = 120
    for line in INSTRUCTIONS:
        intro.append([line])
    intro["A1"].font = Font(bold=True, size=14)
    for row in intro.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    agreement = book.create_sheet(AGREEMENT_SHEET)
    _header(agreement, AGREEMENT_COLUMNS)
    agreement.column_dimensions["B"].width = 32
    agreement.column_dimensions["C"].width = 30
    agreement.column_dimensions["D"].width = 60
    for field, example, note in _AGREEMENT_ROWS:
        agreement.append([field, None, example, note])
        agreement.cell(agreement.max_row, 2).number_format = "@"  # keep 2024/25 from becoming a date
        agreement.cell(agreement.max_row, 3).font = _EXAMPLE_FONT

    for name, read in SHEETS.items():
        columns = read + EXTRA_COLUMNS.get(name, ())
        sheet = book.create_sheet(name)
        _header(sheet, columns)
        _choices(sheet, columns)
        for example in _EXAMPLES[name]:
            sheet.append(list(example))
            for cell in sheet[sheet.max_row]:
                cell.font = _EXAMPLE_FONT
    return book
