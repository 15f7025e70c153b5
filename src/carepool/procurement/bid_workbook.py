"""A provider's bids on many lots in one workbook: a template listing the tender's lots, and the reader.

A row with a price is a bid; a row left blank is no bid on that lot. The whole file is read and every
problem named (file, sheet, row, column) before anything is sealed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from carepool.core import tabular, workbook
from carepool.core.errors import CarepoolError, Problem
from carepool.core.tabular import Column
from carepool.partners.service import Located
from carepool.procurement import model
from carepool.procurement.model import BidContent

SHEET = "Bids"
FIGURES = ("price_per_hour", "quality", "max_hours_per_week", "capacity")
HEADERS = ["lot", "lot_name", "hours_per_week", *FIGURES]
COLUMNS = [
    Column("lot", lambda v: tabular.text(v).upper()),
    Column("price_per_hour", tabular.money, required=False),
    Column("quality", lambda v: model.quantity(v, what="quality score", zero_ok=True), required=False),
    Column("max_hours_per_week", lambda v: model.quantity(v, what="most hours a week on this lot"), required=False),
    Column("capacity", lambda v: model.quantity(v, what="hours a week across the tender"), required=False),
]
HOW_TO = [
    ["price_per_hour", "Your price for an hour of care on the lot, in pounds (e.g. 21.40). Leave the row blank "
                       "to make no bid on that lot."],
    ["quality", "Your self-assessed method statement score, 0 to 100 (the panel may score it after opening)."],
    ["max_hours_per_week", "Optional: the most hours a week you would take on this lot."],
    ["capacity", "Optional: the most hours a week you can take across the whole tender. Give it on any one row: "
                 "it then counts for every bid in this workbook."],
    ["sealing", "Each bid is sealed with its own receipt (SHA-256) on upload; nobody can read it before the "
                "deadline. Uploading again replaces your bids on the lots in the new file."],
]


def write_template(path: Path, ref: str, lots: list[tuple[str, str, object]]) -> Path:
    """The tender's lots (code, name, hours a week), one row each, with blank columns to fill in."""
    book = workbook.new_workbook()
    workbook.add_table_sheet(book, SHEET, HEADERS, [[code, name, hours, None, None, None, None]
                                                    for code, name, hours in lots],
                             {"price_per_hour": '"£"#,##0.00', "hours_per_week": "#,##0.00"})
    workbook.add_table_sheet(book, "How to fill in", ["column", f"what to write (tender {ref})"], HOW_TO)
    book.save(path)
    return path


def read_bids(path: Path) -> tuple[list[Located[tuple[str, BidContent]]], list[Problem]]:
    """Every bid in the file (lot code and content), and every problem found."""
    sheets = tabular.read_tables(path)
    chosen = [s for s in sheets if s.name is None or s.name.lower() == SHEET.lower()]
    if not chosen:
        return [], [Problem(f"no sheet called {SHEET}: start from the tender's bid workbook", file=path.name)]
    bids: list[Located[tuple[str, BidContent]]] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for sheet in chosen:
        records, found = tabular.read_rows(sheet, COLUMNS)
        problems += found
        for number, r in records:
            where = Located(None, sheet.file, sheet.name, number)
            if r["price_per_hour"] is None:
                if any(r[name] is not None for name in FIGURES):
                    problems.append(where.problem("is empty: a row with figures needs a price (leave the whole "
                                                  "row blank to make no bid on the lot)", "price_per_hour"))
                continue
            if r["quality"] is None:
                problems.append(where.problem("is empty: a bid needs a quality score from 0 to 100", "quality"))
                continue
            if r["lot"] in first_row:
                problems.append(where.problem(f"lot {r['lot']} is bid on again (first on row {first_row[r['lot']]})",
                                              "lot"))
                continue
            first_row[r["lot"]] = number
            try:
                content = BidContent(r["price_per_hour"], r["quality"], r["max_hours_per_week"], r["capacity"])
            except CarepoolError as error:
                field = "price_per_hour" if error.message.startswith("price") else "quality"
                problems.append(where.problem(error.message, field))
                continue
            bids.append(Located((r["lot"], content), sheet.file, sheet.name, number))
    return _one_capacity_for_all(bids), problems


def _one_capacity_for_all(bids: list[Located[tuple[str, BidContent]]]) -> list[Located[tuple[str, BidContent]]]:
    """A capacity is the provider's across the whole tender, so one given on any row holds for every bid of the
    workbook (as its instructions say); rows that give different ones are sealed as typed, and warned about."""
    stated = {located.value[1].capacity for located in bids} - {None}
    if len(stated) != 1:
        return bids
    capacity = stated.pop()
    return [replace(located, value=(located.value[0], replace(located.value[1], capacity=capacity)))
            for located in bids]


def read_clean(path: Path) -> list[Located[tuple[str, BidContent]]]:
    """The bids of a file with no problem at all; otherwise every problem, and nothing to seal."""
    bids, problems = read_bids(path)
    if problems:
        first, *rest = tabular.in_file_order(problems)
        raise CarepoolError.from_problems(f"nothing was sealed: {first}", rest)
    return bids
