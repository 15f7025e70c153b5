"""Read tables people edit by hand (CSV or Excel) and check them whole before use.

Every problem is located by file, sheet, row and column; the caller writes
nothing unless the whole file is clean.

Anyone who may upload may send a file built to be expensive, so reading is bounded:

- A workbook is checked before openpyxl opens it (``workbook_archive.check_workbook_archive``: a zip
  bomb, or XML that would cost far more memory than its size suggests, is refused).
- Sheets are read read-only, ignoring the ``<dimension>`` a sheet declares: a row is as wide as its
  last cell, so a sheet claiming ``A1:XFD1048576`` costs what its real cells cost.
- A sheet (or CSV file) may have ``MAX_ROWS`` rows of data and ``MAX_COLUMNS`` columns; a value
  beyond is refused, naming file, sheet and row. Blank rows are skipped, and ``MAX_BLANK_RUN`` in a
  row end a sheet, the rest taken as blank and unread: reading on would let a million empty rows (a
  few packed kilobytes) cost seconds, and a table people edit does not go on after a thousand blank
  rows. A file may have ``MAX_FILE_ROWS`` rows looked at in all, blank ones between the data included.

A sheet an import reads must say plainly which value is which, or nothing is read from it: a value under no
header (in a CSV file, a row with more values than the header: ``1,234.56`` unquoted is two values), a header
heading two columns with values, and a hidden worksheet are problems named like a bad cell. Sheets no import
reads (notes, lookup lists) may be laid out as people like.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import LARGEST_QUANTITY, Money, refuse_beyond
from carepool.core.workbook_archive import check_workbook_archive

CellValue = str | int | float | Decimal | bool | date | datetime | None
Line = tuple[int, tuple[CellValue, ...]]  # a row's number in the file, and its cells from column A

MAX_ROWS = 100_000  # rows of data below the header, in a sheet or CSV file
MAX_COLUMNS = 200
MAX_BLANK_RUN = 1_000  # blank rows in a row that end a sheet
MAX_FILE_ROWS = 200_000  # rows looked at in all the sheets of a file, blank rows between the data included


@dataclass(frozen=True)
class Sheet:
    """A table as read: its name (None for CSV), headers and numbered data rows (blank cells left out)."""

    file: str
    name: str | None
    headers: list[str]
    rows: list[tuple[int, dict[str, CellValue]]]
    # (row, header) -> whether that blank cell is a formula with no saved value; workbooks only
    unsaved_formula: Callable[[int, str], bool] | None = None
    # what leaves a value's column in doubt (see the module's docstring), reported when the sheet is read; a
    # problem with no row (a hidden sheet) leaves no row read at all
    layout_problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Column:
    """A column to read: its header, how to read a cell, and whether it may be blank."""

    name: str
    read: Callable[[Any], Any]
    required: bool = True
    default: Any = None


def _normalise_header(value: object) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _refuse(message: str, file: str, sheet: str | None = None, row: int | None = None) -> NoReturn:
    raise CarepoolError(str(Problem(message, file, sheet, row)))


def _is_blank(cells: Sequence[CellValue]) -> bool:
    return all(cell is None or cell == "" for cell in cells)


def _has_value(cell: CellValue) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


class _RowBudget:
    """The rows a file may still have looked at, shared by all its sheets."""

    def __init__(self, file: str) -> None:
        self.file, self.left = file, MAX_FILE_ROWS

    def lines(self, cells: Iterable[Sequence[CellValue]], sheet: str | None) -> list[Line]:
        """Row 1 (the header, even if blank) and every non-blank row after it, within the limits above."""
        found: list[Line] = []
        blank_run = 0
        for number, line in enumerate(cells, start=1):
            self.left -= 1
            if self.left < 0:
                _refuse(f"more than {MAX_FILE_ROWS:,} rows in all (blank rows between the data included); "
                        "split the file", self.file)
            blank = _is_blank(line)
            if not blank and len(line) > MAX_COLUMNS and not _is_blank(line[MAX_COLUMNS:]):
                from openpyxl.utils import get_column_letter

                _refuse(f"has a value beyond column {MAX_COLUMNS} ({get_column_letter(MAX_COLUMNS)}); carepool "
                        f"reads at most {MAX_COLUMNS} columns: move or delete it", self.file, sheet, number)
            if number > 1 and blank:
                blank_run += 1
                if blank_run == MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            if len(found) > MAX_ROWS:  # the header and MAX_ROWS rows of data already
                _refuse(f"more than {MAX_ROWS:,} rows; split the file", self.file, sheet)
            found.append((number, tuple(line[:MAX_COLUMNS])))
        return found


def _hidden_problem(file: str, name: str, state: str) -> Problem:
    if state == "veryHidden":  # Excel's Unhide does not list such a sheet
        how = "make it visible (its Visible property, in Excel's Visual Basic editor)"
    else:
        how = "unhide it (right-click a sheet tab, Unhide)"
    return Problem(f"this sheet is hidden: {how} to import its rows, or delete it", file, name)


def _layout_problems(file: str, name: str | None, headers: list[str], data: list[Line]) -> list[Problem]:
    width = len(headers)
    repeated = {h for h in headers if h and headers.count(h) > 1}
    watched = [index for index, h in enumerate(headers) if not h or h in repeated]
    first_value: dict[int, int] = {}  # column index -> the first row with a value in that column
    problems: list[Problem] = []
    for number, line in data:
        beyond = [index for index in range(width, len(line)) if _has_value(line[index])]
        if beyond and name is None:  # in a CSV file, a comma inside an unquoted value
            problems.append(Problem(
                f"has {beyond[-1] + 1} values but the header has {width} columns: a comma inside a value splits "
                'it in two, so put such a value in quotes ("1,234.56") or write amounts without the thousands '
                "comma (1234.56)", file, name, number))
            beyond = []
        for index in watched + beyond:
            if index < len(line) and _has_value(line[index]):
                first_value.setdefault(index, number)
    for index, number in sorted(first_value.items()):
        if index >= width or not headers[index]:
            problems.append(Problem(f"column {_column_letter(index)} has values (the first in row {number}) but no "
                                    "header: give it a header, or delete its values", file, name, 1))
    for header in sorted(repeated):
        filled = [_column_letter(i) for i, h in enumerate(headers) if h == header and i in first_value]
        if len(filled) > 1:
            problems.append(Problem(f"the header {header!r} heads columns {', '.join(filled[:-1])} and "
                                    f"{filled[-1]}, each with values: rename or delete all but one, so it is "
                                    "clear which to read", file, name, 1))
    return problems


def _sheet(file: str, name: str | None, lines: list[Line], *, state: str = "visible") -> Sheet:
    headers = [_normalise_header(h) for h in lines[0][1]]
    while headers and not headers[-1]:
        headers.pop()
    rows = [(number, {h: v for h, v in zip(headers, line, strict=False) if h and v is not None})
            for number, line in lines[1:]]  # a value beyond the header is one of the layout problems
    if name is not None and state != "visible":
        return Sheet(file, name, headers, rows, layout_problems=(_hidden_problem(file, name, state),))
    return Sheet(file, name, headers, rows, layout_problems=tuple(_layout_problems(file, name, headers, lines[1:])))


def read_csv(path: Path) -> list[Sheet]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            cells = (tuple(cell.strip() or None for cell in line) for line in csv.reader(handle))
            lines = _RowBudget(path.name).lines(cells, None)
    except FileNotFoundError:
        raise CarepoolError(f"{path}: file not found") from None  # the path as typed at the command line
    except UnicodeDecodeError:  # the name only: an upload's path is a server temporary folder
        raise CarepoolError(f"{path.name}: not a UTF-8 text file; save it as 'CSV UTF-8'") from None
    except csv.Error as error:  # e.g. a cell beyond the csv module's field size limit
        raise CarepoolError(f"{path.name}: not a readable CSV file ({error})") from None
    if not lines:
        raise CarepoolError(f"{path.name}: the file is empty; expected a header row")
    return [_sheet(path.name, None, lines)]


# --- workbooks -----------------------------------------------------------------

def _open_workbook(path: Path, *, data_only: bool, checked: bool = False) -> Any:
    from openpyxl import load_workbook

    try:
        if path.stat().st_size == 0:
            raise CarepoolError(f"{path.name}: the file is empty")
        if not zipfile.is_zipfile(path):  # an .xlsx is a zip archive; a renamed CSV is the usual culprit
            raise CarepoolError(f"{path.name}: not an Excel workbook (.xlsx); if it is a CSV file, give it a "
                                ".csv name")
        if not checked:
            check_workbook_archive(path)
        return load_workbook(path, read_only=True, data_only=data_only)
    except FileNotFoundError:
        raise CarepoolError(f"{path}: file not found") from None
    except CarepoolError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise CarepoolError(f"{path.name}: not a readable Excel workbook ({error})") from None


def _cells(worksheet: Any, last_row: int | None = None) -> Generator[tuple[CellValue, ...], None, None]:
    """A read-only sheet's rows from row 1, each as wide as its last cell (the declared dimension ignored)."""
    worksheet.reset_dimensions()
    return worksheet.iter_rows(max_row=last_row, values_only=True)


def workbook_lines(path: Path) -> list[tuple[str, list[Line]]]:
    """Each worksheet's title and lines (row 1 and every non-blank row, numbered as Excel numbers them; none
    for a sheet with no rows), formulas as the values Excel saved, read within the limits above."""
    return [(title, lines) for title, _state, lines in _workbook_sheets(path)]


def _workbook_sheets(path: Path) -> list[tuple[str, str, list[Line]]]:
    """``workbook_lines`` with each sheet's state between title and lines: visible, hidden or veryHidden."""
    workbook = _open_workbook(path, data_only=True)
    budget = _RowBudget(path.name)
    try:
        found = []
        for worksheet in workbook.worksheets:
            with closing(_cells(worksheet)) as rows:  # openpyxl stops reading the sheet where we stopped
                found.append((worksheet.title, worksheet.sheet_state, budget.lines(rows, worksheet.title)))
        return found
    finally:
        workbook.close()


def _formula_cells(path: Path, last_rows: dict[str, int]) -> dict[str, set[tuple[int, int]]]:
    """(row, column index) of every formula cell per sheet title, up to the last row read. With ``data_only``
    a formula that Excel never calculated and saved reads as blank; only a second reading tells the two apart."""
    workbook = _open_workbook(path, data_only=False, checked=True)  # checked by the first reading
    try:
        return {ws.title: {(number, index)
                           for number, line in enumerate(_cells(ws, last_rows[ws.title]), start=1)
                           for index, cell in enumerate(line) if isinstance(cell, str) and cell.startswith("=")}
                for ws in workbook.worksheets if ws.title in last_rows}
    finally:
        workbook.close()


def read_xlsx(path: Path) -> list[Sheet]:
    read = [(title, state, lines) for title, state, lines in _workbook_sheets(path) if lines]
    last_rows = {title: lines[-1][0] for title, _state, lines in read}
    cache: list[dict[str, set[tuple[int, int]]]] = []  # the second reading, done only if a blank cell needs it

    def checker(title: str, headers: list[str]) -> Callable[[int, str], bool]:
        def unsaved_formula(row: int, header: str) -> bool:
            if not cache:
                try:
                    cache.append(_formula_cells(path, last_rows))
                except CarepoolError:  # e.g. an upload already cleaned away: report the cell as blank, as before
                    cache.append({})
            found = cache[0].get(title, set())
            return any((row, index) in found for index, h in enumerate(headers) if h == header)
        return unsaved_formula

    sheets = [_sheet(path.name, title, lines, state=state) for title, state, lines in read]
    return [dataclasses.replace(s, unsaved_formula=checker(str(s.name), s.headers)) for s in sheets]


def read_tables(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    raise CarepoolError(f"{path.name}: expected a .csv or .xlsx file")


def read_rows(sheet: Sheet, columns: Iterable[Column]) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Read every row of ``sheet``; return the clean rows and every problem found."""
    clean, _incomplete, problems = read_all_rows(sheet, columns)
    return clean, problems


def read_all_rows(sheet: Sheet, columns: Iterable[Column]
                  ) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Like ``read_rows``, and also the rows with a problem, holding only the fields that did read, so a caller
    can check those fields too and name every problem of the file in one go."""
    columns = list(columns)
    if any(p.row is None for p in sheet.layout_problems):
        return [], [], list(sheet.layout_problems)
    missing = [c.name for c in columns if c.required and c.name not in sheet.headers]
    if missing:
        expected = ", ".join(c.name for c in columns)
        return [], [], [
            Problem(f"missing column(s) {', '.join(missing)}; expected columns: {expected}",
                    file=sheet.file, sheet=sheet.name, row=1)
        ]
    problems = list(sheet.layout_problems)
    doubtful = {p.row for p in problems}  # row 1 (the header) puts every row in doubt
    clean, incomplete = [], []
    for number, raw in sheet.rows:
        record: dict[str, Any] = {}
        problems_before = len(problems)
        for column in columns:
            cell = raw.get(column.name)
            if cell is None and sheet.unsaved_formula is not None and sheet.unsaved_formula(number, column.name):
                problems.append(Problem("is a formula with no saved value: open the file in Excel and save it",
                                        sheet.file, sheet.name, number, column.name))
                continue
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if column.required:
                    problems.append(Problem("is empty", sheet.file, sheet.name, number, column.name))
                else:
                    record[column.name] = column.default
                continue
            try:
                record[column.name] = column.read(cell)
            except CarepoolError as error:
                problems.append(Problem(error.message, sheet.file, sheet.name, number, column.name))
        trusted = len(problems) == problems_before and not (doubtful & {1, number})
        (clean if trusted else incomplete).append((number, record))
    return clean, incomplete, problems


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems by file, sheet and row, as a person reads down the file (found in any order)."""
    return sorted(problems, key=lambda p: (p.file or "", p.sheet or "", p.row or 0))


def check(problems: list[Problem], what: str) -> None:
    """Raise one error listing every problem, so nothing is written from a bad file."""
    if problems:
        problems = in_file_order(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise CarepoolError.from_problems(f"{what}: {count}; nothing was imported", problems)


# --- cell readers ----------------------------------------------------------

def text(value: Any) -> str:
    return str(value).strip()


_WHOLE_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)", re.ASCII)  # 1234 or 1,234 (as Money reads them)
FIRST_YEAR, LAST_YEAR = 1900, 2200


def whole_number(value: Any) -> int:
    """A count: an int (or an Excel float holding one), or text like 1234 or 1,234; at most a billion either
    way, as for quantities (``LARGEST_QUANTITY``), so a slip never reaches a 64-bit column."""
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = Decimal(value.strip().replace(",", ""))  # not int(), which refuses thousands of digits
    elif (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer()):
        number = Decimal(value)
    else:
        raise CarepoolError(f"expected a whole number like 1234 or 1,234, got {value!r}")
    refuse_beyond(number, LARGEST_QUANTITY, what=None, given=value)
    return int(number)


def year(value: Any) -> int:
    number = whole_number(value)
    if not FIRST_YEAR <= number <= LAST_YEAR:
        raise CarepoolError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {value!r}")
    return number


def non_negative_whole_number(value: Any) -> int:
    number = whole_number(value)
    if number < 0:
        raise CarepoolError(f"expected zero or more, got {number}")
    return number


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    cleaned = str(value).strip().lower()
    if cleaned in {"yes", "y", "true", "1"}:
        return True
    if cleaned in {"no", "n", "false", "0", ""}:
        return False
    raise CarepoolError(f"expected yes or no, got {value!r}")


def money(value: Any) -> Money:
    """Excel gives numbers as floats: read them through their shortest decimal spelling."""
    if isinstance(value, float):
        return Money.parse(Decimal(repr(value)))
    return Money.parse(value)
