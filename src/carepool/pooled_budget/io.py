"""Agreements in and out: JSON and Excel files to ``Agreement``; the blank workbook template.

Nothing here passes through float: JSON numbers are read as ``Decimal`` and money
must be text (``"282000.00"``) or a whole number of pounds.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from carepool.core.errors import CarepoolError
from carepool.core.jsonfile import load_json
from carepool.core.money import Money
from carepool.core.periods import FinancialYear
from carepool.pooled_budget.model import (
    OVERSPEND_RULES,
    UNDERSPEND_RULES,
    Agreement,
    Capped,
    CarryForward,
    Contingency,
    FixedShares,
    Lead,
    OverspendRule,
    Partner,
    Proportional,
    Scheme,
    UnderspendRule,
)
from carepool.pooled_budget.validation import Issue, error_from
from carepool.pooled_budget.values import describe, parse_code, parse_excess, parse_money, parse_share

_TOP = ("agreement", "year", "host", "partners", "offset_across_schemes", "contingency", "schemes")
_SCHEME = ("id", "name", "contributions", "actual", "overspend", "underspend")
_RULE_KEYS = {
    "proportional": ("rule",), "fixed": ("rule", "shares"), "lead": ("rule", "partner"),
    "capped": ("rule", "base", "caps", "excess"), "carry_forward": ("rule",),
}
_RULE_REQUIRED = {"capped": ("caps", "excess")}


def is_json_agreement(path: Path) -> bool:
    """Whether an agreement file is JSON (otherwise an Excel workbook); refused if it is neither or missing."""
    suffix = path.suffix.lower()
    if suffix not in {".json", ".xlsx", ".xlsm"}:
        raise CarepoolError(f"{path}: expected a .json file or an .xlsx workbook")
    if not path.is_file():
        raise CarepoolError(f"{path}: no such file")
    return suffix == ".json"


def read_agreement(path: Path) -> Agreement:
    """Read an agreement from a ``.json`` file or an ``.xlsx`` workbook."""
    if is_json_agreement(path):
        return read_json(path)
    from carepool.pooled_budget.workbook import read_workbook  # openpyxl only when needed
    from carepool.pooled_budget.workbook_layout import check_layout

    check_layout(path)
    return read_workbook(path)


def read_json(path: Path) -> Agreement:
    return agreement_from_json(load_json(path))


def agreement_from_json(data: object) -> Agreement:
    """Build an agreement from parsed JSON, or raise naming every field that is wrong."""
    reader = _JsonReader()
    agreement = reader.agreement(data)
    if reader.issues or agreement is None:
        raise error_from(reader.issues or [Issue("the agreement could not be read")])
    return agreement


class _JsonReader:
    """Walks the JSON, recording an issue for each bad field and carrying on."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def fail(self, message: str, scheme: str | None, field: str) -> None:
        self.issues.append(Issue(message, scheme, field))

    def object(self, value: object, scheme: str | None, field: str, allowed: tuple[str, ...],
               required: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            what = "the agreement as a JSON object" if not field and scheme is None else "a JSON object"
            self.fail(f"expected {what} {{...}}, got {describe(value)}", scheme, field)
            return None
        prefix = f"{field}." if field else ""
        for key in value:
            if key not in allowed:
                self.fail(f"unknown field; expected one of {', '.join(allowed)}", scheme, prefix + key)
        for key in required:
            if key not in value:
                self.fail("required field is missing", scheme, prefix + key)
        return value

    def text(self, value: object, scheme: str | None, field: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.fail(f"expected text, got {describe(value)}", scheme, field)
        return None

    def money(self, value: object, scheme: str | None, field: str) -> Money | None:
        if isinstance(value, Decimal):
            self.fail(f"{value} is a JSON number with decimals; write money as text, e.g. "
                      f"\"{value}\", so no penny is lost to floating point", scheme, field)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(f"expected an amount as text like \"1234.56\", got {describe(value)}", scheme, field)
            return None
        try:
            return parse_money(value)
        except CarepoolError as error:
            self.fail(error.message, scheme, field)
            return None

    def share(self, value: object, scheme: str | None, field: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.fail(f"expected a share like \"0.6\", got {describe(value)}", scheme, field)
            return None
        try:
            return parse_share(value)
        except CarepoolError as error:
            self.fail(error.message, scheme, field)
            return None

    def by_code(self, value: object, scheme: str | None, field: str, read: Any) -> dict[str, Any] | None:
        """An object keyed by partner code, each value read by ``read``."""
        if not isinstance(value, dict):
            self.fail(f"expected an object of partner code to value, got {describe(value)}", scheme, field)
            return None
        result: dict[str, Any] = {}
        for code, item in value.items():
            if parse_code(code) in result:
                self.fail(f"partner {parse_code(code)} is given twice", scheme, f"{field}.{code}")
            result[parse_code(code)] = read(item, scheme, f"{field}.{code}")
        return None if any(v is None for v in result.values()) else result

    def agreement(self, data: object) -> Agreement | None:
        top = self.object(data, None, "", _TOP, ("agreement", "year", "host", "partners", "schemes"))
        if top is None:
            return None
        name = self.text(top.get("agreement"), None, "agreement") if "agreement" in top else None
        year_text = self.text(top.get("year"), None, "year") if "year" in top else None
        year = None
        if year_text is not None:
            try:
                year = FinancialYear.parse(year_text)
            except CarepoolError as error:
                self.fail(error.message, None, "year")
        host = self.text(top.get("host"), None, "host") if "host" in top else None
        offset = top.get("offset_across_schemes", False)
        if not isinstance(offset, bool):
            self.fail(f"expected true or false, got {describe(offset)}", None, "offset_across_schemes")
        partners = self.partners(top.get("partners")) if "partners" in top else None
        contingency = self.contingency(top.get("contingency"))
        schemes = self.schemes(top.get("schemes")) if "schemes" in top else None
        if self.issues or None in (name, year, host, partners, schemes):
            return None
        assert name and year and host and partners is not None and schemes is not None
        return Agreement(name=name, year=year, host=parse_code(host), partners=partners, schemes=schemes,
                         offset_across_schemes=bool(offset), contingency=contingency)

    def partners(self, value: object) -> tuple[Partner, ...] | None:
        if not isinstance(value, list) or not value:
            got = "an empty list" if value == [] else describe(value)
            self.fail(f"expected a list of partners, got {got}", None, "partners")
            return None
        partners = []
        for index, item in enumerate(value):
            field = f"partners[{index}]"
            entry = self.object(item, None, field, ("code", "name"), ("code", "name"))
            if entry is None or "code" not in entry or "name" not in entry:
                continue
            code = self.text(entry["code"], None, f"{field}.code")
            name = self.text(entry["name"], None, f"{field}.name")
            if code and name:
                partners.append(Partner(parse_code(code), name))
        return tuple(partners)

    def contingency(self, value: object) -> Contingency | None:
        if value is None:
            return None
        entry = self.object(value, None, "contingency", ("amount", "funded"), ("amount", "funded"))
        if entry is None or "amount" not in entry or "funded" not in entry:
            return None
        amount = self.money(entry["amount"], None, "contingency.amount")
        funded = self.by_code(entry["funded"], None, "contingency.funded", self.money)
        return Contingency(amount, funded) if amount is not None and funded is not None else None

    def schemes(self, value: object) -> tuple[Scheme, ...] | None:
        if not isinstance(value, list) or not value:
            got = "an empty list" if value == [] else describe(value)
            self.fail(f"expected a list of schemes, got {got}", None, "schemes")
            return None
        schemes = []
        for index, item in enumerate(value):
            raw_id = item.get("id") if isinstance(item, dict) else None
            label = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else f"number {index + 1}"
            entry = self.object(item, label, "", _SCHEME, ("id", "name", "contributions", "actual"))
            if entry is None:
                continue
            scheme_id = self.text(entry.get("id"), label, "id") if "id" in entry else None
            name = self.text(entry.get("name"), label, "name") if "name" in entry else None
            contributions = (self.by_code(entry["contributions"], label, "contributions", self.money)
                             if "contributions" in entry else None)
            actual = self.money(entry["actual"], label, "actual") if "actual" in entry else None
            overspend = self.rule(entry.get("overspend"), label, "overspend", OVERSPEND_RULES)
            underspend = self.rule(entry.get("underspend"), label, "underspend", UNDERSPEND_RULES)
            if None in (scheme_id, name, contributions, actual, overspend, underspend):
                continue
            assert scheme_id and name and contributions is not None
            schemes.append(Scheme(scheme_id, name, contributions, actual, cast(OverspendRule, overspend),
                                  cast(UnderspendRule, underspend)))
        return tuple(schemes)

    def rule(self, value: object, scheme: str, side: str,
             names: tuple[str, ...]) -> OverspendRule | UnderspendRule | None:
        if value is None:
            return Proportional()
        if not isinstance(value, dict) or not isinstance(value.get("rule"), str):
            self.fail(f"expected an object like {{\"rule\": \"proportional\"}}, got {describe(value)}",
                      scheme, side if not isinstance(value, dict) else f"{side}.rule")
            return None
        name = value["rule"]
        if name not in names:
            self.fail(f"unknown rule {name!r}; expected one of {', '.join(names)}", scheme, f"{side}.rule")
            return None
        entry = self.object(value, scheme, side, _RULE_KEYS[name], _RULE_REQUIRED.get(name, _RULE_KEYS[name]))
        if entry is None or any(key not in entry for key in _RULE_REQUIRED.get(name, _RULE_KEYS[name])):
            return None
        if name == "proportional":
            return Proportional()
        if name == "carry_forward":
            return CarryForward()
        if name == "lead":
            partner = self.text(entry["partner"], scheme, f"{side}.partner")
            return Lead(parse_code(partner)) if partner else None
        if name == "fixed":
            shares = self.by_code(entry["shares"], scheme, f"{side}.shares", self.share)
            return FixedShares(shares) if shares is not None else None
        return self.capped(entry, scheme, side)

    def capped(self, entry: dict[str, Any], scheme: str, side: str) -> Capped | None:
        base_value = entry.get("base", "proportional")
        base: Proportional | FixedShares | None = None
        if base_value == "proportional":
            base = Proportional()
        elif isinstance(base_value, dict):
            inner = self.object(base_value, scheme, f"{side}.base", ("shares",), ("shares",))
            if inner is not None and "shares" in inner:
                shares = self.by_code(inner["shares"], scheme, f"{side}.base.shares", self.share)
                base = FixedShares(shares) if shares is not None else None
        else:
            self.fail(f"expected \"proportional\" or {{\"shares\": {{...}}}}, got {describe(base_value)}",
                      scheme, f"{side}.base")
        caps = self.by_code(entry["caps"], scheme, f"{side}.caps", self.money)
        excess = None
        if isinstance(entry["excess"], str):
            try:
                excess = parse_excess(entry["excess"])
            except CarepoolError as error:
                self.fail(error.message, scheme, f"{side}.excess")
        else:
            self.fail(f"expected \"host\" or \"unallocated\", got {describe(entry['excess'])}",
                      scheme, f"{side}.excess")
        if base is None or caps is None or excess is None:
            return None
        return Capped(base, caps, excess)


def write_template(path: Path) -> None:
    """Write the blank agreement workbook (with example rows marked by ``#``)."""
    from carepool.pooled_budget.template import write_template as write

    write(path)


def rule_from_json(value: object, *, side: str, scheme: str = "") -> OverspendRule | UnderspendRule:
    """One overspend or underspend rule from its JSON form (as stored, or as given in a variation)."""
    reader = _JsonReader()
    names = OVERSPEND_RULES if side == "overspend" else UNDERSPEND_RULES
    rule = reader.rule(value, scheme, side, names)
    if reader.issues or rule is None:
        raise error_from(reader.issues or [Issue("the rule could not be read", scheme or None, side)])
    return rule
