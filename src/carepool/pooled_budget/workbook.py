"""An agreement as an Excel workbook: the layout, and reading it back.

The whole workbook is checked before anything is settled; every problem names the
file, sheet, row and column. Rows whose first cell starts with ``#`` are examples
or comments and are skipped. Numbers Excel stores as floats are read through
``Decimal(repr(value))`` and must then be whole pence: no float arithmetic.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money
from carepool.core.periods import FinancialYear
from carepool.core.workbook_archive import check_workbook_archive
from carepool.pooled_budget.model import (
    OVERSPEND_RULES,
    UNDERSPEND_RULES,
    Agreement,
    Capped,
    CarryForward,
    Contingency,
    FixedShares,
    Lead,
    Partner,
    Proportional,
    Scheme,
)
from carepool.pooled_budget.validation import Issue, error_from, validate
from carepool.pooled_budget.values import parse_code, parse_excess, parse_money, parse_share, rule_name

AGREEMENT_SHEET = "Agreement"
AGREEMENT_COLUMNS = ("field", "value", "example", "notes")
AGREEMENT_FIELDS = ("agreement", "year", "host", "offset_across_schemes", "contingency_amount")
SHEETS: dict[str, tuple[str, ...]] = {
    "Partners": ("code", "name", "contingency_funding"),
    "Schemes": ("id", "name", "actual", "overspend_rule", "overspend_lead", "cap_base", "cap_excess",
                "underspend_rule", "underspend_lead"),
    "Contributions": ("scheme_id", "partner_code", "amount"),
    "Shares": ("scheme_id", "which", "partner_code", "share"),
    "Caps": ("scheme_id", "partner_code", "cap"),
}
OPTIONAL_SHEETS = ("Shares", "Caps")
WHICH = ("overspend", "underspend", "cap_base")
Row = dict[str, Any]
Where = tuple[str | None, int | None, str | None]  # sheet, row, column


def read_workbook(path: Path) -> Agreement:
    """Read and check a filled-in template; raise naming every bad cell."""
    try:
        if zipfile.is_zipfile(path):
            check_workbook_archive(path)  # `pool settle FILE` reads a file no upload limit has seen
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise CarepoolError(f"{path.name}: not a readable .xlsx workbook ({error})") from None
    try:
        reader = _Reader(path.name, book)
        agreement = reader.agreement()
    finally:
        book.close()
    if reader.problems:
        raise error_from(reader.problems)
    assert agreement is not None
    issues = validate(agreement)
    if issues:
        raise error_from([reader.locate(issue) for issue in issues])
    return agreement


class _Reader:
    def __init__(self, file: str, book: Any) -> None:
        self.file, self.book = file, book
        self.problems: list[Problem] = []
        self.where: dict[tuple[str | None, str], Where] = {}
        self.scheme_rows: dict[str, tuple[int, Row]] = {}
        self.group_rows: dict[tuple[str, str], tuple[str, int]] = {}  # first row of each group
        self.used_groups: set[tuple[str, str]] = set()

    # --- locating ---------------------------------------------------------
    def fail(self, where: Where, message: str) -> None:
        sheet, row, column = where
        self.problems.append(Problem(message, self.file, sheet, row, column))

    def mark(self, scheme: str | None, path: str, where: Where) -> None:
        self.where.setdefault((scheme, path), where)

    def locate(self, issue: Issue) -> Problem:
        """Turn an issue named by scheme and field into a sheet, row and column."""
        path = issue.field or ""
        keys = [f"{path}#code"] if issue.about == "code" else []
        while True:
            keys.append(path)
            if not path:
                break
            path = path.rpartition(".")[0]
        found = [self.where[(issue.scheme, k)] for k in keys if (issue.scheme, k) in self.where]
        sheet, row, column = found[0] if found else (None, None, None)
        message = issue.message if issue.scheme is None else f"scheme {issue.scheme}: {issue.message}"
        if sheet is None:
            message = str(issue)
        return Problem(message, self.file, sheet, row, column)

    # --- cells ------------------------------------------------------------
    def rows(self, sheet: str, columns: tuple[str, ...]) -> list[tuple[int, Row]]:
        if sheet not in self.book.sheetnames:
            if sheet not in OPTIONAL_SHEETS:
                self.fail((None, None, None), f"the workbook has no sheet {sheet!r}; start from "
                                              "`carepool pool template`")
            return []
        worksheet = self.book[sheet]
        worksheet.reset_dimensions()  # the rows it holds, whatever extent it claims
        values = worksheet.iter_rows(values_only=True)
        header = [str(v).strip().lower() if v is not None else "" for v in next(values, ())]
        index = {name: header.index(name) for name in columns if name in header}
        for name in columns:
            if name not in index:
                self.fail((sheet, 1, name), "this column is missing from the header row")
        found = []
        for number, raw in enumerate(values, start=2):
            cells = {name: raw[i] if i < len(raw) else None for name, i in index.items()}
            cells = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in cells.items()}
            first = raw[0] if raw else None
            if isinstance(first, str) and first.strip().startswith("#"):
                continue
            if any(v is not None for v in cells.values()):
                found.append((number, cells))
        return found

    def text(self, value: Any, where: Where, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.fail(where, "this cell is empty")
            return None
        if isinstance(value, bool | datetime | date):
            self.fail(where, f"expected text, got {value!r}")
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def code(self, value: Any, where: Where, required: bool = True) -> str | None:
        text = self.text(value, where, required)
        return parse_code(text) if text is not None else None

    def number(self, value: Any, where: Where, parse: Any, required: bool) -> Any:
        if value is None:
            if required:
                self.fail(where, "this cell is empty")
            return None
        if isinstance(value, bool | datetime | date):
            self.fail(where, f"expected a number, got {value!r}")
            return None
        if isinstance(value, float):
            value = Decimal(repr(value))  # exactly what Excel shows, never float arithmetic
        try:
            return parse(value)
        except CarepoolError as error:
            self.fail(where, error.message)
            return None

    def money(self, value: Any, where: Where, required: bool = True) -> Money | None:
        return self.number(value, where, parse_money, required)

    def share(self, value: Any, where: Where) -> Decimal | None:
        return self.number(value, where, parse_share, True)

    def flag(self, value: Any, where: Where) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        words = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False,
                 "0": False}
        text = str(value).strip().lower()
        if text not in words:
            self.fail(where, f"expected yes or no, got {value!r}")
            return False
        return words[text]

    # --- sheets -----------------------------------------------------------
    def settings(self) -> dict[str, tuple[Any, Where]]:
        found: dict[str, tuple[Any, Where]] = {}
        for number, row in self.rows(AGREEMENT_SHEET, ("field", "value")):
            key = str(row["field"] or "").strip().lower()
            where: Where = (AGREEMENT_SHEET, number, "value")
            if key not in AGREEMENT_FIELDS:
                self.fail((AGREEMENT_SHEET, number, "field"),
                          f"unknown field {row['field']!r}; expected one of {', '.join(AGREEMENT_FIELDS)}")
            elif key in found:
                self.fail((AGREEMENT_SHEET, number, "field"), f"{key} is given twice")
            else:
                found[key] = (row["value"], where)
                self.mark(None, "contingency.amount" if key == "contingency_amount" else key, where)
        for key in ("agreement", "year", "host"):
            if key not in found and AGREEMENT_SHEET in self.book.sheetnames:
                self.fail((AGREEMENT_SHEET, None, "field"), f"the {key} row is missing")
        return found

    def agreement(self) -> Agreement | None:
        settings = self.settings()
        name = self.text(*settings["agreement"]) if "agreement" in settings else None
        year = None
        if "year" in settings:
            value, where = settings["year"]
            if isinstance(value, datetime | date):
                self.fail(where, "Excel turned the year into a date; format the cell as text "
                                 "and type e.g. 2024/25")
            elif (text := self.text(value, where)) is not None:
                try:
                    year = FinancialYear.parse(text)
                except CarepoolError as error:
                    self.fail(where, error.message)
        host = self.code(*settings["host"]) if "host" in settings else None
        offset = False
        if "offset_across_schemes" in settings:
            offset = self.flag(*settings["offset_across_schemes"])
        amount = None
        if "contingency_amount" in settings:
            amount = self.money(*settings["contingency_amount"], required=False)
        partners, funded = self.partners(amount is not None)
        schemes = self.schemes()
        if self.problems or not (name and year and host):
            return None
        contingency = Contingency(amount, funded) if amount is not None else None
        return Agreement(name, year, host, tuple(partners), schemes, offset, contingency)

    def partners(self, has_contingency: bool) -> tuple[list[Partner], dict[str, Money]]:
        partners: list[Partner] = []
        funded: dict[str, Money] = {}
        self.mark(None, "partners", ("Partners", None, None))
        self.mark(None, "contingency.funded", ("Partners", None, "contingency_funding"))
        for number, row in self.rows("Partners", SHEETS["Partners"]):
            code = self.code(row.get("code"), ("Partners", number, "code"))
            name = self.text(row.get("name"), ("Partners", number, "name"))
            money_at: Where = ("Partners", number, "contingency_funding")
            funding = self.money(row.get("contingency_funding"), money_at, required=False)
            if funding is not None and not has_contingency:
                self.fail(money_at, "contingency funding is given but the Agreement sheet has no "
                                    "contingency_amount")
            if code is None or name is None:
                continue
            index = len(partners)
            self.mark(None, f"partners[{index}].code", ("Partners", number, "code"))
            self.mark(None, f"partners[{index}].name", ("Partners", number, "name"))
            self.mark(None, f"contingency.funded.{code}", money_at)
            partners.append(Partner(code, name))
            if has_contingency:
                funded[code] = funding or Money.zero()
        return partners, funded

    def grouped(self, sheet: str, value_column: str, read: Any) -> dict[tuple[str, str], dict[str, Any]]:
        """Rows keyed by scheme id and what they are for, then partner code."""
        groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
        first_row: dict[tuple[str, str], int] = {}
        for number, row in self.rows(sheet, SHEETS[sheet]):
            scheme = self.text(row.get("scheme_id"), (sheet, number, "scheme_id"))
            which = "contributions" if sheet == "Contributions" else "caps"
            if sheet == "Shares":
                which_text = self.text(row.get("which"), (sheet, number, "which"))
                which = rule_name(which_text or "")
                if which_text is not None and which not in WHICH:
                    self.fail((sheet, number, "which"),
                              f"expected one of {', '.join(WHICH)}, got {which_text!r}")
            code = self.code(row.get("partner_code"), (sheet, number, "partner_code"))
            value = read(row.get(value_column), (sheet, number, value_column))
            if scheme is None or code is None or value is None or which not in _PATHS:
                continue
            if scheme not in self.scheme_rows:
                self.fail((sheet, number, "scheme_id"), f"there is no scheme {scheme} on sheet Schemes")
                continue
            group = groups[(scheme, which)]
            if code in group:
                self.fail((sheet, number, "partner_code"),
                          f"partner {code} already has a row for scheme {scheme} here (row {group[code][1]})")
                continue
            group[code] = (value, number)
            first_row.setdefault((scheme, which), number)
            path = _PATHS[which]
            self.mark(scheme, f"{path}.{code}", (sheet, number, value_column))
            self.mark(scheme, f"{path}.{code}#code", (sheet, number, "partner_code"))
            self.mark(scheme, path, (sheet, first_row[(scheme, which)], value_column))
        self.group_rows.update({key: (sheet, number) for key, number in first_row.items()})
        return {key: {code: v for code, (v, _) in group.items()} for key, group in groups.items()}

    def schemes(self) -> tuple[Scheme, ...]:
        self.mark(None, "schemes", ("Schemes", None, None))
        for number, row in self.rows("Schemes", SHEETS["Schemes"]):
            scheme = self.text(row.get("id"), ("Schemes", number, "id"))
            if scheme is None:
                continue
            if scheme in self.scheme_rows:
                self.fail(("Schemes", number, "id"),
                          f"scheme id {scheme} is already used on row {self.scheme_rows[scheme][0]}")
                continue
            self.scheme_rows[scheme] = (number, row)
        groups = self.grouped("Contributions", "amount", self.money)
        groups |= self.grouped("Shares", "share", self.share)
        groups |= self.grouped("Caps", "cap", self.money)
        schemes = []
        for scheme, (number, row) in self.scheme_rows.items():
            built = self.scheme(scheme, number, row, groups)
            if built is not None:
                schemes.append(built)
        clean = not self.problems  # a broken rule would make its rows look unused
        for (scheme, which), (sheet, number) in self.group_rows.items():
            if clean and (scheme, which) not in self.used_groups:
                column = "which" if sheet == "Shares" else "scheme_id"
                self.fail((sheet, number, column), f"scheme {scheme}'s rules do not use these rows "
                                                   f"({which}); fix the rule on sheet Schemes or delete them")
        return tuple(schemes)

    def scheme(self, scheme: str, number: int, row: Row, groups: dict[tuple[str, str], Any]) -> Scheme | None:
        def at(column: str) -> Where:
            return ("Schemes", number, column)

        for path, column in _SCHEME_FALLBACKS.items():
            self.mark(scheme, path, at(column))
        self.used_groups.add((scheme, "contributions"))
        name = self.text(row.get("name"), at("name"))
        actual = self.money(row.get("actual"), at("actual"))
        rules = {}
        for side, names in (("overspend", OVERSPEND_RULES), ("underspend", UNDERSPEND_RULES)):
            given = self.text(row.get(f"{side}_rule"), at(f"{side}_rule"), required=False)
            rule = rule_name(given or "proportional")
            if rule not in names:
                self.fail(at(f"{side}_rule"), f"unknown rule {given!r}; expected one of {', '.join(names)}")
                continue
            if rule != "lead" and row.get(f"{side}_lead") is not None:
                self.fail(at(f"{side}_lead"), f"a lead partner is only used with the lead rule; "
                                              f"the {side} rule is {rule}")
            rules[side] = self.rule(scheme, side, rule, row, at, groups)
        if rules.get("overspend") is not None and not isinstance(rules["overspend"], Capped):
            for column in ("cap_base", "cap_excess"):
                if row.get(column) is not None:
                    self.fail(at(column), "only used with the capped overspend rule")
        contributions = groups.get((scheme, "contributions"), {})
        if name is None or actual is None or None in (rules.get("overspend"), rules.get("underspend")):
            return None
        return Scheme(scheme, name, contributions, actual, rules["overspend"], rules["underspend"])

    def rule(self, scheme: str, side: str, rule: str, row: Row, at: Any,
             groups: dict[tuple[str, str], Any]) -> Any:
        if rule == "proportional":
            return Proportional()
        if rule == "carry_forward":
            return CarryForward()
        if rule == "lead":
            lead = self.code(row.get(f"{side}_lead"), at(f"{side}_lead"))
            return Lead(lead) if lead else None
        if rule == "fixed":
            self.used_groups.add((scheme, side))
            return FixedShares(groups.get((scheme, side), {}))
        self.used_groups.add((scheme, "caps"))
        base_text = self.text(row.get("cap_base"), at("cap_base"), required=False)
        base_name = rule_name(base_text or "proportional")
        base: Proportional | FixedShares | None = None
        if base_name == "proportional":
            base = Proportional()
        elif base_name in ("shares", "fixed"):
            self.used_groups.add((scheme, "cap_base"))
            base = FixedShares(groups.get((scheme, "cap_base"), {}))
        else:
            self.fail(at("cap_base"), f"expected proportional or shares, got {base_text!r}")
        excess_text = self.text(row.get("cap_excess"), at("cap_excess"))
        excess = None
        if excess_text is not None:
            try:
                excess = parse_excess(excess_text)
            except CarepoolError as error:
                self.fail(at("cap_excess"), error.message)
        if base is None or excess is None:
            return None
        return Capped(base, groups.get((scheme, "caps"), {}), excess)


_PATHS = {
    "contributions": "contributions",
    "overspend": "overspend.shares",
    "underspend": "underspend.shares",
    "cap_base": "overspend.base.shares",
    "caps": "overspend.caps",
}
_SCHEME_FALLBACKS = {
    "": "id", "id": "id", "name": "name", "actual": "actual", "contributions": "id",
    "overspend": "overspend_rule", "overspend.shares": "overspend_rule",
    "overspend.partner": "overspend_lead",
    "overspend.base": "cap_base", "overspend.base.shares": "cap_base", "overspend.excess": "cap_excess",
    "underspend": "underspend_rule", "underspend.shares": "underspend_rule",
    "underspend.partner": "underspend_lead",
}
