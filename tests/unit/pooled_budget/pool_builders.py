"""Small builders so a test reads like the agreement it describes."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from carepool.core.money import Money
from carepool.core.periods import FinancialYear
from carepool.pooled_budget.model import Agreement, Contingency, Partner, Proportional, Scheme

COUNCIL, ICB, COUNTY = "E06000019", "QGH", "E10000034"
NAMES = {COUNCIL: "Herefordshire Council", ICB: "NHS Herefordshire and Worcestershire ICB",
         COUNTY: "Worcestershire County Council"}

_HEREFORDSHIRE: dict[str, Any] = {
    "agreement": "Integrated equipment store", "year": "2024/25", "host": COUNCIL,
    "partners": [{"code": COUNCIL, "name": NAMES[COUNCIL]}, {"code": ICB, "name": NAMES[ICB]}],
    "offset_across_schemes": False,
    "contingency": {"amount": "20000.00", "funded": {COUNCIL: "10000.00", ICB: "10000.00"}},
    "schemes": [{"id": "ICES", "name": "Community equipment",
                 "contributions": {COUNCIL: "282000.00", ICB: "282000.00"}, "actual": "590000.00",
                 "overspend": {"rule": "proportional"}, "underspend": {"rule": "proportional"}}],
}


def herefordshire() -> dict[str, Any]:
    """The Herefordshire equipment store agreement as JSON data (a fresh copy)."""
    return copy.deepcopy(_HEREFORDSHIRE)


def m(text: str) -> Money:
    return Money.parse(text)


def scheme(scheme_id: str, contributions: dict[str, str], actual: str, overspend: Any = None,
           underspend: Any = None, name: str | None = None) -> Scheme:
    return Scheme(scheme_id, name or scheme_id, {code: m(v) for code, v in contributions.items()}, m(actual),
                  overspend or Proportional(), underspend or Proportional())


def pool(*schemes: Scheme, partners: tuple[str, ...] = (COUNCIL, ICB), host: str = COUNCIL,
         offset: bool = False, contingency: tuple[str, dict[str, str]] | None = None) -> Agreement:
    fund = None
    if contingency is not None:
        fund = Contingency(m(contingency[0]), {code: m(v) for code, v in contingency[1].items()})
    return Agreement("Test pool", FinancialYear(2024), host,
                     tuple(Partner(code, NAMES.get(code, code)) for code in partners), tuple(schemes),
                     offset, fund)


def shares(**by_code: str) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in by_code.items()}


def _replace_rows(book: openpyxl.Workbook, sheet: str, rows: list[list[Any]]) -> None:
    ws = book[sheet]
    ws.delete_rows(2, ws.max_row)
    for row in rows:
        ws.append(row)


def fill_workbook(path: Path, data: dict[str, Any]) -> None:
    """Fill a template written by ``carepool pool template`` with an agreement given as JSON data."""
    book = openpyxl.load_workbook(path)
    contingency = data.get("contingency")
    values = {"agreement": data["agreement"], "year": data["year"], "host": data["host"],
              "offset_across_schemes": "yes" if data.get("offset_across_schemes") else "no",
              "contingency_amount": contingency["amount"] if contingency else None}
    for row in book["Agreement"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    funded = contingency["funded"] if contingency else {}
    _replace_rows(book, "Partners", [[p["code"], p["name"], funded.get(p["code"])] for p in data["partners"]])
    schemes, contributions, share_rows, caps = [], [], [], []
    for s in data["schemes"]:
        over = s.get("overspend", {"rule": "proportional"})
        under = s.get("underspend", {"rule": "proportional"})
        base = over.get("base", "proportional")
        schemes.append([s["id"], s["name"], s["actual"], over["rule"], over.get("partner"),
                        ("shares" if isinstance(base, dict) else base) if over["rule"] == "capped" else None,
                        over.get("excess"), under["rule"], under.get("partner")])
        contributions += [[s["id"], code, amount] for code, amount in s["contributions"].items()]
        for which, rule in (("overspend", over), ("underspend", under)):
            share_rows += [[s["id"], which, code, v] for code, v in rule.get("shares", {}).items()]
        if isinstance(base, dict):
            share_rows += [[s["id"], "cap_base", code, v] for code, v in base["shares"].items()]
        caps += [[s["id"], code, cap] for code, cap in over.get("caps", {}).items()]
    _replace_rows(book, "Schemes", schemes)
    _replace_rows(book, "Contributions", contributions)
    _replace_rows(book, "Shares", share_rows)
    _replace_rows(book, "Caps", caps)
    book.save(path)
