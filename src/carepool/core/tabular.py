"""Read tables people edit by hand (CSV or Excel) and check them whole before use.

Every problem is located by file, sheet, row and column; the caller writes
nothing unless the whole file is clean.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money

CellValue = str | int | float | Decimal | bool | date | datetime | None


@dataclass(frozen=True)
class Sheet:
    """A table as read: its name (None for CSV), headers and numbered data rows."""

    file: str
    name: str | None
    headers: list[str]
    rows: list[tuple[int, dict[str, CellValue]]]
    # (row, header) -> whether that blank cell is a formula with no saved value; workbooks only
    unsaved_formula: Callable[[int, str], bool] | None = None


@dataclass(frozen=True)
class Column:
    """A column to read: its header, how to read a cell, and whether it may be blank."""

    name: str
    read: Callable[[Any], Any]
    required: bool = True
    default: Any = None


def _normalise_header(value: object) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def read_csv(path: Path) -> list[Sheet]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except FileNotFoundError:
        raise CarepoolError(f"{path}: file not found") from None  # the path as typed at the command line
    except UnicodeDecodeError:  # the name only: an upload's path is a server temporary folder
        raise CarepoolError(f"{path.name}: not a UTF-8 text file; save it as 'CSV UTF-8'") from None
    except csv.Error as error:  # e.g. a cell beyond the csv module's field size limit
        raise CarepoolError(f"{path.name}: not a readable CSV file ({error})") from None
    if not lines:
        raise CarepoolError(f"{path.name}: the file is empty; expected a header row")
    headers = [_normalise_header(h) for h in lines[0]]
    rows = [
        (number, dict(zip(headers, (cell.strip() for cell in line), strict=False)))
        for number, line in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in line)
    ]
    return [Sheet(path.name, None, headers, rows)]


def _open_workbook(path: Path, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    try:
        if path.stat().st_size == 0:
            raise CarepoolError(f"{path.name}: the file is empty")
        if not zipfile.is_zipfile(path):  # an .xlsx is a zip archive; a renamed CSV is the usual culprit
            raise CarepoolError(f"{path.name}: not an Excel workbook (.xlsx); if it is a CSV file, give it a "
                                ".csv name")
        return load_workbook(path, read_only=True, data_only=data_only)
    except FileNotFoundError:
        raise CarepoolError(f"{path}: file not found") from None
    except CarepoolError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise CarepoolError(f"{path.name}: not a readable Excel workbook ({error})") from None


def _formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """(row, column index) of every formula cell per sheet title. With ``data_only`` a formula that Excel never
    calculated and saved reads as blank; only a second reading of the formulas tells the two apart."""
    workbook = _open_workbook(path, data_only=False)
    try:
        return {ws.title: {(number, index) for number, line in enumerate(ws.iter_rows(values_only=True), start=1)
                           for index, cell in enumerate(line) if isinstance(cell, str) and cell.startswith("=")}
                for ws in workbook.worksheets}
    finally:
        workbook.close()


def read_xlsx(path: Path) -> list[Sheet]:
    workbook = _open_workbook(path, data_only=True)
    cache: list[dict[str, set[tuple[int, int]]]] = []  # the second reading, done only if a blank cell needs it

    def checker(title: str, headers: list[str]) -> Callable[[int, str], bool]:
        def unsaved_formula(row: int, header: str) -> bool:
            if not cache:
                try:
                    cache.append(_formula_cells(path))
                except CarepoolError:  # e.g. an upload already cleaned away: report the cell as blank, as before
                    cache.append({})
            found = cache[0].get(title, set())
            return any((row, index) in found for index, h in enumerate(headers) if h == header)
        return unsaved_formula

    sheets = []
    try:
        for worksheet in workbook.worksheets:
            values = list(worksheet.iter_rows(values_only=True))
            if not values:
                continue
            headers = [_normalise_header(h) for h in values[0]]
            rows = [
                (number, dict(zip(headers, line, strict=False)))
                for number, line in enumerate(values[1:], start=2)
                if any(cell not in (None, "") for cell in line)
            ]
            sheets.append(Sheet(path.name, worksheet.title, headers, rows, checker(worksheet.title, headers)))
    finally:
        workbook.close()
    return sheets


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
    problems: list[Problem] = []
    missing = [c.name for c in columns if c.required and c.name not in sheet.headers]
    if missing:
        expected = ", ".join(c.name for c in columns)
        return [], [], [
            Problem(f"missing column(s) {', '.join(missing)}; expected columns: {expected}",
                    file=sheet.file, sheet=sheet.name, row=1)
        ]
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
        (clean if len(problems) == problems_before else incomplete).append((number, record))
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


def whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise CarepoolError(f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    cleaned = str(value).strip().replace(",", "")
    if cleaned.lstrip("-").isdigit():
        return int(cleaned)
    raise CarepoolError(f"expected a whole number, got {value!r}")


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
