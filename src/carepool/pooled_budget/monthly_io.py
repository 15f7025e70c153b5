"""Monthly actuals and commitments in and out: CSV or Excel, checked whole before anything is stored.

Columns (a header row; any order; other columns are ignored): ``scheme_id``,
``month`` (``2025-04``, ``Apr 2025``, ``April 2025`` or a date cell), ``source`` (the
code of the partner whose ledger the figure comes from), ``actual`` and optionally
``commitments``. Every sheet of a workbook that has a ``scheme_id`` column is read,
so each ledger's export can be its own file or its own sheet. Several files are
read together: one bad row anywhere and nothing is imported.

A sheet without a ``commitments`` column (an actuals-only export) says nothing about
commitments, so the commitments already recorded are kept; an empty cell in a
``commitments`` column is £0.00.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from carepool.core import tabular
from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money
from carepool.core.periods import MONTH_NAMES, FinancialMonth, FinancialYear
from carepool.core.workbook import add_table_sheet, inert_rows, new_workbook
from carepool.pooled_budget.forecast import MonthFigure
from carepool.pooled_budget.model import Agreement
from carepool.pooled_budget.values import parse_money

COLUMNS = ("scheme_id", "month", "source", "actual", "commitments")
_FULL_NAMES = ["april", "may", "june", "july", "august", "september", "october", "november", "december",
               "january", "february", "march"]
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?$")
_NAMED = re.compile(r"^(?P<name>[A-Za-z]+)[\s\-/]+(?P<year>\d{2}|\d{4})$")


@dataclass(frozen=True)
class Located:
    figure: MonthFigure
    file: str
    sheet: str | None
    row: int
    commitments_given: bool = True  # False: the sheet has no commitments column, so keep what is recorded

    def problem(self, message: str, column: str) -> Problem:
        return Problem(message, self.file, self.sheet, self.row, column)


def _calendar(value: Any) -> tuple[int, int]:
    """(calendar year, calendar month) from a month cell."""
    if isinstance(value, datetime | date):
        return value.year, value.month
    text = str(value).strip()
    if iso := _ISO.match(text):
        return _real(int(iso["year"]), int(iso["month"]), int(iso["day"] or 1), value)
    if named := _NAMED.match(text):
        name, year = named["name"].lower(), int(named["year"])
        year = year + 2000 if year < 100 and len(named["year"]) == 2 else year
        for number, (short, full) in enumerate(zip(MONTH_NAMES, _FULL_NAMES, strict=True)):
            if name in (short.lower(), full):
                return _real(year, (number + 3) % 12 + 1, 1, value)
    raise CarepoolError(f"expected a month like 2025-04 or Apr 2025, got {value!r}"
                        + (" (a bare number is ambiguous)" if text.isdigit() else ""))


def _real(year: int, month: int, day: int, value: Any) -> tuple[int, int]:
    """(year, month) of a date that exists on the calendar: 2025-06-45 is no day in June, 0000-04 no month."""
    try:
        date(year, month, day)
    except ValueError:
        raise CarepoolError(f"{value!r} is not a real date: expected a month like 2025-04 or Apr 2025 "
                            "(or a whole date such as 2025-06-30)") from None
    return year, month


def month_in_year(value: Any, year: FinancialYear) -> int:
    """The financial month number (1 = April) of a month cell, which must lie in ``year``."""
    calendar_year, calendar_month = _calendar(value)
    month = FinancialMonth.containing(date(calendar_year, calendar_month, 1))
    if month.year != year:
        raise CarepoolError(f"{month.label} is not in {year.label} (April {year.start} to March {year.start + 1})")
    return month.number


AS_AT_HELP = ("the month to give the figures as at: a month like 2025-09 or Sep 2025 (as the command line's --as-at "
              "takes), or its number in the financial year, 1 = April .. 12 = March; left out, the latest month "
              "with actuals")


def as_at_month(value: str | None, year: FinancialYear) -> int | None:
    """An ``as_at`` query value: a month in ``year`` (``2025-09``, ``Sep 2025``) or its number, 1 = April."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        if not 1 <= int(text) <= 12:
            raise CarepoolError(f"as_at: expected 1 (April) to 12 (March) or a month like 2025-09, got {value!r}")
        return int(text)
    try:
        return month_in_year(text, year)
    except CarepoolError as error:
        raise CarepoolError(f"as_at: {error.message}") from None


def _columns(agreement: Agreement) -> list[tabular.Column]:
    return [
        tabular.Column("scheme_id", lambda v: _scheme_id(v, agreement)),
        tabular.Column("month", lambda v: month_in_year(v, agreement.year)),
        tabular.Column("source", lambda v: _source(v, agreement)),
        tabular.Column("actual", _money),
        tabular.Column("commitments", _commitments, required=False, default=Money(0)),
    ]


def _read_sheets(sheets: Iterable[tabular.Sheet], agreement: Agreement) -> tuple[list[Located], list[Problem]]:
    """The rows that read cleanly, and every problem found (nothing raised, so a caller can add its own)."""
    problems: list[Problem] = []
    located: list[Located] = []
    schemes = {s.id for s in agreement.schemes}
    for sheet in sheets:
        records, found = tabular.read_rows(sheet, _columns(agreement))
        problems += found
        given = "commitments" in sheet.headers
        for number, record in records:
            item = Located(MonthFigure(record["scheme_id"], record["month"], record["source"],
                                       record["actual"], record["commitments"]), sheet.file, sheet.name, number,
                           given)
            if record["scheme_id"] not in schemes:
                problems.append(item.problem(f"there is no scheme {record['scheme_id']} in {agreement.name} "
                                             f"(schemes: {', '.join(sorted(schemes))})", "scheme_id"))
                continue
            located.append(item)
    problems += duplicates(located)
    return located, problems


def _unreadable(path: Path, error: CarepoolError) -> list[Problem]:
    """A file that cannot be read at all, as problems named by file, so the other files are still checked."""
    if error.problems:
        return list(error.problems)
    message = error.message.removeprefix(f"{path.name}: ")
    return [Problem(message, path.name)]


def gather_figures(paths: Sequence[Path], agreement: Agreement) -> tuple[list[Located], list[Problem]]:
    """Every figure that reads cleanly from the files, and every problem in every file (none raised): one
    unreadable file does not stop the others being checked."""
    if not paths:
        raise CarepoolError("give at least one file of monthly actuals")
    problems: list[Problem] = []
    sheets: list[tabular.Sheet] = []
    for path in paths:
        try:
            found = [s for s in tabular.read_tables(path) if "scheme_id" in s.headers]
        except CarepoolError as error:
            problems += _unreadable(path, error)
            continue
        if not found:
            problems.append(Problem(f"no sheet has the columns {', '.join(COLUMNS)} (commitments optional)",
                                    path.name, None, 1))
        sheets += found
    if sheets and not any(sheet.rows for sheet in sheets):  # a header alone would "import" nothing
        problems += [Problem("give at least one monthly figure: there is a header row but no figures under it",
                             sheet.file, sheet.name, 2) for sheet in sheets]
    located, found_in_rows = _read_sheets(sheets, agreement)
    return located, problems + found_in_rows


def read_figures(paths: Sequence[Path], agreement: Agreement) -> list[Located]:
    """Every figure in the files, or one error naming every bad file, sheet, row and column."""
    located, problems = gather_figures(paths, agreement)
    tabular.check(problems, "monthly actuals")
    return located


def gather_entries(entries: Sequence[dict[str, Any]], agreement: Agreement, *,
                   what: str = "entries") -> tuple[list[Located], list[Problem]]:
    """Figures typed into a form or sent to the API, checked exactly like a file (rows numbered from 1): the
    clean ones and every problem (none raised)."""
    if not entries:
        raise CarepoolError("give at least one monthly figure")
    cleaned = [{k: v for k, v in entry.items() if v is not None} for entry in entries]
    headers = [c for c in COLUMNS if c != "commitments" or any("commitments" in e for e in cleaned)]
    located, problems = _read_sheets([tabular.Sheet(what, None, headers, list(enumerate(cleaned, start=1)))],
                                     agreement)
    # an entry that leaves commitments out keeps what is recorded, as a file without that column does
    return [dataclasses.replace(item, commitments_given="commitments" in cleaned[item.row - 1])
            for item in located], problems


def read_entries(entries: Sequence[dict[str, Any]], agreement: Agreement, *, what: str = "entries") -> list[Located]:
    """Like ``gather_entries``, raising one error naming every problem."""
    located, problems = gather_entries(entries, agreement, what=what)
    tabular.check(problems, "monthly actuals")
    return located


def _money(value: Any) -> Money:
    """Excel gives numbers as floats: read them through their shortest decimal spelling, exactly."""
    if isinstance(value, bool):
        raise CarepoolError(f"expected an amount like \"1234.56\", got {value!r}")
    return parse_money(Decimal(repr(value)) if isinstance(value, float) else value)


def _commitments(value: Any) -> Money:
    amount = _money(value)
    if amount.is_negative():
        raise CarepoolError(f"commitments cannot be below zero, got {amount}")
    return amount


def _scheme_id(value: Any, agreement: Agreement) -> str:
    """The agreement's own spelling of a scheme id typed in any case (``reab`` is ``REAB``), as source codes are."""
    text = tabular.text(value)
    ids = {s.id for s in agreement.schemes}
    if text in ids:
        return text
    matches = [i for i in ids if i.casefold() == text.casefold()]
    return matches[0] if len(matches) == 1 else text


def _source(value: Any, agreement: Agreement) -> str:
    code = str(value).strip().upper()
    if code not in agreement.codes:
        raise CarepoolError(f"{value!r} is not a partner of this agreement; the source is the code of the "
                            f"partner whose ledger the figure comes from ({', '.join(agreement.codes)})")
    return code


def duplicates(located: Iterable[Located]) -> list[Problem]:
    """The same scheme, month and source twice in one import would make it unclear which figure counts."""
    seen: dict[tuple[str, int, str], Located] = {}
    problems = []
    for item in located:
        key = (item.figure.scheme, item.figure.month, item.figure.source)
        if key in seen:
            first = seen[key]
            problems.append(item.problem(f"scheme {key[0]}, this month and source {key[2]} are already given in "
                                         f"{first.file}{f' sheet {first.sheet}' if first.sheet else ''} row "
                                         f"{first.row}", "month"))
        else:
            seen[key] = item
    return problems


def write_figures(path: Path, figures: Iterable[MonthFigure], year: FinancialYear, *,
                  names: dict[str, str] | None = None) -> None:
    """Write figures in the import layout (``.xlsx`` or ``.csv``): what a ledger export is mapped to."""
    rows = [[f.scheme, f"{FinancialMonth(year, f.month).first_day:%Y-%m}", f.source, f.actual.amount,
             f.commitments.amount] for f in figures]
    headers = list(COLUMNS)
    if names:
        headers.append("scheme_name")
        for row in rows:
            row.append(names.get(str(row[0]), ""))
    if path.suffix.lower() == ".csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(inert_rows([f"{c:.2f}" if not isinstance(c, str) else c for c in row] for row in rows))
        return
    book = new_workbook()
    add_table_sheet(book, "Actuals", headers, rows, number_formats={"actual": "#,##0.00", "commitments": "#,##0.00"})
    book.save(path)
