"""A stored agreement's definition: the settle contract plus a client group per scheme.

``carepool pool create`` reads the same JSON or workbook as ``carepool pool settle``;
each scheme may also carry a ``client_group`` (a JSON field, or a ``client_group``
column on the Schemes sheet). Actual spend is not part of a definition: it comes
from monthly monitoring, so ``actual`` may be left out (JSON) or empty (workbook),
and any figure given is not loaded. Rules are stored as canonical JSON in the
same vocabulary as the settle contract.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carepool.core.errors import CarepoolError, Problem
from carepool.core.jsonfile import load_json
from carepool.core.money import Money
from carepool.pooled_budget.io import agreement_from_json, is_json_agreement
from carepool.pooled_budget.model import (
    Agreement,
    Capped,
    CarryForward,
    Excess,
    FixedShares,
    Lead,
    OverspendRule,
    Proportional,
    UnderspendRule,
)
from carepool.pooled_budget.validation import format_share

CLIENT_GROUP_MAX = 100


@dataclass(frozen=True)
class PoolDefinition:
    """What the partners agreed: every scheme's actual is zero here."""

    agreement: Agreement
    client_groups: Mapping[str, str]  # scheme id -> client group ("" when not given)
    given_actual: Money = field(default_factory=Money.zero)  # actual spend the file carried (not loaded; reported back)

    def client_group(self, scheme_id: str) -> str:
        return self.client_groups.get(scheme_id, "")


def without_actuals(agreement: Agreement) -> tuple[Agreement, Money]:
    given = Money.sum(s.actual for s in agreement.schemes)
    schemes = tuple(dataclasses.replace(s, actual=Money(0)) for s in agreement.schemes)
    return dataclasses.replace(agreement, schemes=schemes), given


def _client_group(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > CLIENT_GROUP_MAX:
        raise CarepoolError(f"{where}: expected a client group as text of at most {CLIENT_GROUP_MAX} "
                            f"characters (e.g. \"Older people\"), got {value!r}")
    return value.strip()


def definition_from_json(data: object) -> PoolDefinition:
    """The settle contract as parsed JSON, with optional ``client_group`` and ``actual`` per scheme."""
    groups: dict[str, str] = {}
    if isinstance(data, dict) and isinstance(data.get("schemes"), list):
        data = dict(data)
        schemes = []
        for index, item in enumerate(data["schemes"]):
            if isinstance(item, dict):
                item = dict(item)
                label = item.get("id") if isinstance(item.get("id"), str) else f"number {index + 1}"
                group = _client_group(item.pop("client_group", None), f"scheme {label}, field client_group")
                if isinstance(item.get("id"), str):
                    groups[item["id"].strip()] = group
                item.setdefault("actual", "0")
            schemes.append(item)
        data["schemes"] = schemes
    agreement, given = without_actuals(agreement_from_json(data))
    return PoolDefinition(agreement, groups, given)


def read_definition(path: Path) -> PoolDefinition:
    """Read an agreement to store from a ``.json`` file or an ``.xlsx`` workbook."""
    if is_json_agreement(path):
        return definition_from_json(load_json(path))
    return _read_workbook_definition(path)


def _read_workbook_definition(path: Path) -> PoolDefinition:
    """Collect client groups from the Schemes sheet, treat empty ``actual`` cells as 0, then read as usual.

    The workbook is read once, read-only and within the limits of ``core.tabular`` (a false ``<dimension>`` or
    a million empty rows cost nothing), formulas as the values Excel shows; ``read_workbook`` then reads a copy of
    those values, each row at its own number, so every message names the user's file, sheet and row.
    """
    from carepool.core.tabular import workbook_lines
    from carepool.pooled_budget.workbook import read_workbook
    from carepool.pooled_budget.workbook_layout import check_layout

    check_layout(path)  # as every other import is checked: nothing in doubt about which value is which
    sheets = workbook_lines(path)
    groups: dict[str, str] = {}
    problems: list[Problem] = []
    schemes = dict(sheets).get("Schemes")
    if schemes:  # its first line is row 1, the header
        header = [str(v).strip().lower() if v is not None else "" for v in schemes[0][1]]
        column = {name: header.index(name) for name in ("id", "actual", "client_group") if name in header}
        for index, (number, row) in enumerate(schemes[1:], start=1):
            first = row[0] if row else None
            if isinstance(first, str) and first.strip().startswith("#"):
                continue
            scheme_id = _cell(row, column.get("id"))
            if scheme_id is None:
                continue
            if "actual" in column and _cell(row, column["actual"]) is None:
                filled = list(row) + [None] * (column["actual"] + 1 - len(row))
                filled[column["actual"]] = 0
                schemes[index] = (number, tuple(filled))
            if "client_group" in column:
                try:
                    groups[str(scheme_id).strip()] = _client_group(_cell(row, column["client_group"]), "cell")
                except CarepoolError as error:
                    problems.append(Problem(error.message.removeprefix("cell: "), path.name, "Schemes",
                                            number, "client_group"))
    if problems:
        raise CarepoolError.from_problems(f"{path.name}: {problems[0]}", problems[1:])
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name  # same name, so every message names the user's file
        _write_values(copy, sheets)
        agreement, given = without_actuals(read_workbook(copy))
    return PoolDefinition(agreement, groups, given)


def _cell(row: tuple[Any, ...], index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None


def _write_values(path: Path, sheets: list[tuple[str, list[tuple[int, tuple[Any, ...]]]]]) -> None:
    """The sheets' values as a new workbook, each row at its own number; text stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def as_text(sheet: Any, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("="):  # text Excel showed, not a formula to run
            value = WriteOnlyCell(sheet, value)
            value.data_type = "s"
        return value

    book = Workbook(write_only=True)
    for title, lines in sheets:
        sheet = book.create_sheet(title)
        written = 0
        for number, line in lines:
            for _ in range(written + 1, number):
                sheet.append([])
            sheet.append([as_text(sheet, value) for value in line])
            written = number
    book.save(path)


# --- rules as canonical JSON ---------------------------------------------------

def _shares_json(shares: Mapping[str, Any]) -> dict[str, str]:
    return {code: format_share(value) for code, value in shares.items()}


def rule_to_json(rule: OverspendRule | UnderspendRule) -> dict[str, Any]:
    """A rule in the settle contract's JSON vocabulary (amounts and shares as text)."""
    if isinstance(rule, Proportional):
        return {"rule": "proportional"}
    if isinstance(rule, CarryForward):
        return {"rule": "carry_forward"}
    if isinstance(rule, Lead):
        return {"rule": "lead", "partner": rule.partner}
    if isinstance(rule, FixedShares):
        return {"rule": "fixed", "shares": _shares_json(rule.shares)}
    if isinstance(rule, Capped):
        base: str | dict[str, Any] = ("proportional" if isinstance(rule.base, Proportional)
                                      else {"shares": _shares_json(rule.base.shares)})
        return {"rule": "capped", "base": base, "caps": {c: m.plain() for c, m in rule.caps.items()},
                "excess": rule.excess.value}
    raise CarepoolError(f"unknown rule {rule!r}")


def describe_rule(rule: OverspendRule | UnderspendRule, agreement: Agreement) -> str:
    """A rule in a few plain words, for tables."""
    if isinstance(rule, Proportional):
        return "in proportion to contributions"
    if isinstance(rule, CarryForward):
        return "carried forward in the pool"
    if isinstance(rule, Lead):
        return f"lead commissioner {agreement.partner_name(rule.partner)}"
    if isinstance(rule, FixedShares):
        shares = "/".join(format_share(rule.shares[c] * 100) for c in agreement.codes if c in rule.shares)
        return f"fixed shares {shares}"
    if isinstance(rule, Capped):
        caps = ", ".join(f"{agreement.partner_name(c)} at {m}" for c, m in rule.caps.items())
        base = "proportional" if isinstance(rule.base, Proportional) else "fixed shares"
        above = (f"paid by the host, {agreement.partner_name(agreement.host)}" if rule.excess is Excess.HOST
                 else "left for the partnership board to decide")
        return f"{base}, capped ({caps}); anything above a cap is {above}"
    return rule.name


def agreement_to_json(definition: PoolDefinition) -> dict[str, Any]:
    """The definition back in the settle contract's JSON shape (actual "0.00", client groups added)."""
    agreement = definition.agreement
    contingency = None
    if agreement.contingency is not None:
        contingency = {"amount": agreement.contingency.amount.plain(),
                       "funded": {c: m.plain() for c, m in agreement.contingency.funded.items()}}
    return {
        "agreement": agreement.name, "year": agreement.year.label, "host": agreement.host,
        "partners": [{"code": p.code, "name": p.name} for p in agreement.partners],
        "offset_across_schemes": agreement.offset_across_schemes, "contingency": contingency,
        "schemes": [{"id": s.id, "name": s.name, "client_group": definition.client_group(s.id),
                     "contributions": {c: m.plain() for c, m in s.contributions.items()},
                     "actual": s.actual.plain(), "overspend": rule_to_json(s.overspend),
                     "underspend": rule_to_json(s.underspend)} for s in agreement.schemes],
    }
