"""A provider's bids on many lots in one workbook: a template listing the tender's lots, and the reader.

A row with a price is a bid; a row left blank is no bid on that lot. The whole file is read and every
problem named (file, sheet, row, column) before anything is sealed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from carepool.core import tabular, workbook
from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money
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


@dataclass(frozen=True)
class TenderLots:
    """The lots a tender has, to check a workbook's lot codes against while every other problem is found."""

    ref: str
    codes: frozenset[str]

    def unknown(self, code: str) -> str:
        listed = (f"; its lots: {', '.join(sorted(self.codes))}" if len(self.codes) <= MOST_LOTS_NAMED
                  else f"; its {len(self.codes)} lots are listed in its bid workbook")
        return f"tender {self.ref} has no lot {code}{listed}"


MOST_LOTS_NAMED = 6  # beyond this, a message naming an unknown lot does not list the tender's lots


def read_bids(path: Path, tender: TenderLots | None = None
              ) -> tuple[list[Located[tuple[str, BidContent]]], list[Problem]]:
    """Every bid in the file (lot code and content), and every problem found, all in one go: cells that do not
    read, a row with figures but no price or no quality score, a price of zero, a quality above 100, a lot bid
    on twice and (given the ``tender``'s lots) a lot the tender does not have. A row with a bad cell is still
    checked for everything else, so a bidder puts the whole file right at once, not in rounds."""
    sheets = tabular.read_tables(path)
    chosen = [s for s in sheets if s.name is None or s.name.lower() == SHEET.lower()]
    if not chosen:
        return [], [Problem(f"no sheet called {SHEET}: start from the tender's bid workbook", file=path.name)]
    bids: list[Located[tuple[str, BidContent]]] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for sheet in chosen:
        clean, incomplete, found = tabular.read_all_rows(sheet, COLUMNS)
        problems += found
        unread = {(p.row, p.field) for p in found}
        trusted = {number for number, _ in clean}
        for number, r in sorted(clean + incomplete, key=lambda line: line[0]):
            where = Located(None, sheet.file, sheet.name, number)
            erred = {name for name in FIGURES if (number, name) in unread}
            if not erred and all(r.get(name) is None for name in FIGURES):
                continue  # a blank row: no bid on that lot
            row_problems = _row_problems(where, r, erred)
            lot = r.get("lot")
            if lot is not None and tender is not None and lot not in tender.codes:
                row_problems.append(where.problem(tender.unknown(lot), "lot"))
            elif lot is not None and lot in first_row:
                row_problems.append(where.problem(f"lot {lot} is bid on again (first on row {first_row[lot]})",
                                                  "lot"))
            elif lot is not None:
                first_row[lot] = number
            problems += row_problems
            if number in trusted and not row_problems:
                content = BidContent(r["price_per_hour"], r["quality"], r["max_hours_per_week"], r["capacity"])
                bids.append(Located((lot, content), sheet.file, sheet.name, number))
    return _one_capacity_for_all(bids), problems


def _row_problems(where: Located[None], r: dict[str, object], erred: set[str]) -> list[Problem]:
    """What is wrong with the figures of one row with figures (beyond cells that did not read, in ``erred``)."""
    found = []
    price, quality = r.get("price_per_hour"), r.get("quality")
    if price is None and "price_per_hour" not in erred:
        found.append(where.problem("is empty: a row with figures needs a price (leave the whole row blank to make "
                                   "no bid on the lot)", "price_per_hour"))
    elif isinstance(price, Money) and price.pence <= 0:
        found.append(where.problem(f"price must be above zero, got {price}", "price_per_hour"))
    if quality is None and "quality" not in erred:
        found.append(where.problem("is empty: a bid needs a quality score from 0 to 100", "quality"))
    elif isinstance(quality, Decimal) and quality > 100:
        found.append(where.problem(f"quality must be a score from 0 to 100, got {quality}", "quality"))
    return found


def _one_capacity_for_all(bids: list[Located[tuple[str, BidContent]]]) -> list[Located[tuple[str, BidContent]]]:
    """A capacity is the provider's across the whole tender, so one given on any row holds for every bid of the
    workbook (as its instructions say); rows that give different ones are sealed as typed, and warned about."""
    stated = {located.value[1].capacity for located in bids} - {None}
    if len(stated) != 1:
        return bids
    capacity = stated.pop()
    return [replace(located, value=(located.value[0], replace(located.value[1], capacity=capacity)))
            for located in bids]


def refusal(problems: list[Problem]) -> str:
    """Every problem of a refused workbook, down the file, with its file and sheet said once (a page has room for
    a few hundred words only, and a bidder should see the whole list at once)."""
    ordered = tabular.in_file_order(problems)
    places = {(p.file, p.sheet) for p in ordered}
    count = f"{len(ordered)} problem{'s' if len(ordered) != 1 else ''}"
    if len(places) != 1:
        return str(CarepoolError.from_problems(f"nothing was sealed ({count}):", ordered))
    file, sheet = places.pop()
    where = ", ".join(part for part in (file, f"sheet {sheet}" if sheet else None) if part)
    lines = [f"  {replace(p, file=None, sheet=None)}" for p in ordered]
    return "\n".join([f"nothing was sealed: {count} in {where}" if where else f"nothing was sealed ({count}):",
                      *lines])


def read_clean(path: Path, tender: TenderLots | None = None) -> list[Located[tuple[str, BidContent]]]:
    """The bids of a file with no problem at all; otherwise every problem (the ``tender``'s lots checked too, if
    given), and nothing to seal."""
    bids, problems = read_bids(path, tender)
    if problems:
        first, *rest = tabular.in_file_order(problems)
        raise CarepoolError.from_problems(f"nothing was sealed: {first}", rest)
    return bids
