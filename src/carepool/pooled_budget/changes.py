"""Variations: changes to contributions or rules, as data. Pure: no storage.

A variation lists changes; applying them to an agreement gives the agreement as
varied, which must still pass every rule of ``validation``. JSON form::

    {"kind": "move", "partner": "QRV", "from": "ICES", "to": "REAB", "amount": "200000.00"}
    {"kind": "contribution", "scheme": "ICES", "partner": "QRV", "amount": "1300000.00"}
    {"kind": "rules", "scheme": "REAB", "overspend": {"rule": "fixed", "shares": {...}}}
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money
from carepool.pooled_budget.definition import describe_rule, rule_to_json
from carepool.pooled_budget.io import rule_from_json
from carepool.pooled_budget.model import Agreement, OverspendRule, Scheme, UnderspendRule
from carepool.pooled_budget.validation import error_from, validate
from carepool.pooled_budget.values import parse_code, parse_money


@dataclass(frozen=True)
class SetContribution:
    scheme: str
    partner: str
    amount: Money
    kind: str = "contribution"


@dataclass(frozen=True)
class MoveContribution:
    partner: str
    from_scheme: str
    to_scheme: str
    amount: Money
    kind: str = "move"


@dataclass(frozen=True)
class SetRules:
    scheme: str
    overspend: OverspendRule | None = None
    underspend: UnderspendRule | None = None
    kind: str = "rules"


Change = SetContribution | MoveContribution | SetRules
KINDS = ("move", "contribution", "rules")


def _scheme(agreement: Agreement, scheme_id: str, where: str) -> Scheme:
    for scheme in agreement.schemes:
        if scheme.id == scheme_id:
            return scheme
    known = ", ".join(s.id for s in agreement.schemes)
    raise CarepoolError(f"{where}: there is no scheme {scheme_id} in this agreement (schemes: {known})")


def _partner(agreement: Agreement, code: str, where: str) -> str:
    if code not in agreement.codes:
        raise CarepoolError(f"{where}: {code} is not a partner of this agreement "
                            f"(partners: {', '.join(agreement.codes)})")
    return code


def apply_changes(agreement: Agreement, changes: list[Change]) -> Agreement:
    """The agreement as varied; raises naming the change that cannot be made."""
    if not changes:
        raise CarepoolError("a variation needs at least one change")
    schemes = {s.id: s for s in agreement.schemes}
    for index, change in enumerate(changes):
        where = f"change {index + 1}"
        current = Agreement(agreement.name, agreement.year, agreement.host, agreement.partners,
                            tuple(schemes.values()), agreement.offset_across_schemes, agreement.contingency)
        if isinstance(change, SetRules):
            scheme = _scheme(current, change.scheme, where)
            schemes[scheme.id] = dataclasses.replace(
                scheme, overspend=scheme.overspend if change.overspend is None else change.overspend,
                underspend=scheme.underspend if change.underspend is None else change.underspend)
            continue
        partner = _partner(current, change.partner, where)
        if change.amount.is_negative() or (isinstance(change, MoveContribution) and not change.amount):
            raise CarepoolError(f"{where}: the amount must be above zero, got {change.amount}")
        if isinstance(change, SetContribution):
            scheme = _scheme(current, change.scheme, where)
            contributions = dict(scheme.contributions)
            contributions[partner] = change.amount
            schemes[scheme.id] = dataclasses.replace(scheme, contributions=contributions)
            continue
        source, target = _scheme(current, change.from_scheme, where), _scheme(current, change.to_scheme, where)
        if source.id == target.id:
            raise CarepoolError(f"{where}: a move needs two different schemes")
        had = source.contributions.get(partner, Money(0))
        if had < change.amount:
            raise CarepoolError(f"{where}: {current.partner_name(partner)} contributes only {had} to "
                                f"{source.name}, so {change.amount} cannot be moved out of it")
        schemes[source.id] = dataclasses.replace(
            source, contributions={**source.contributions, partner: had - change.amount})
        schemes[target.id] = dataclasses.replace(
            target, contributions={**target.contributions,
                                   partner: target.contributions.get(partner, Money(0)) + change.amount})
    varied = dataclasses.replace(agreement, schemes=tuple(schemes[s.id] for s in agreement.schemes))
    issues = validate(varied)
    if issues:
        raise error_from(issues, "the agreement as varied: ")
    return varied


def describe_change(change: Change, agreement: Agreement) -> str:
    """One change in plain words."""
    if isinstance(change, MoveContribution):
        names = {s.id: s.name for s in agreement.schemes}
        return (f"Move {change.amount} of {agreement.partner_name(change.partner)}'s contribution from "
                f"{names.get(change.from_scheme, change.from_scheme)} to "
                f"{names.get(change.to_scheme, change.to_scheme)}")
    names = {s.id: s.name for s in agreement.schemes}
    scheme = names.get(change.scheme, change.scheme)
    if isinstance(change, SetContribution):
        return f"Set {agreement.partner_name(change.partner)}'s contribution to {scheme} at {change.amount}"
    parts = []
    if change.overspend is not None:
        parts.append(f"overspend {describe_rule(change.overspend, agreement)}")
    if change.underspend is not None:
        parts.append(f"underspend {describe_rule(change.underspend, agreement)}")
    return f"Change the rules of {scheme}: {'; '.join(parts)}"


def change_to_json(change: Change) -> dict[str, Any]:
    if isinstance(change, MoveContribution):
        return {"kind": "move", "partner": change.partner, "from": change.from_scheme, "to": change.to_scheme,
                "amount": change.amount.plain()}
    if isinstance(change, SetContribution):
        return {"kind": "contribution", "scheme": change.scheme, "partner": change.partner,
                "amount": change.amount.plain()}
    data: dict[str, Any] = {"kind": "rules", "scheme": change.scheme}
    if change.overspend is not None:
        data["overspend"] = rule_to_json(change.overspend)
    if change.underspend is not None:
        data["underspend"] = rule_to_json(change.underspend)
    return data


_FIELDS = {"move": ("kind", "partner", "from", "to", "amount"),
           "contribution": ("kind", "scheme", "partner", "amount"),
           "rules": ("kind", "scheme", "overspend", "underspend")}
_REQUIRED = {"move": _FIELDS["move"], "contribution": _FIELDS["contribution"], "rules": ("kind", "scheme")}


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CarepoolError(f"{where}.{key}: expected text, got {value!r}")
    return value.strip()


def _amount(item: dict[str, Any], where: str) -> Money:
    value = item.get("amount")
    if isinstance(value, bool | float | Decimal) or not isinstance(value, str | int):
        raise CarepoolError(f"{where}.amount: expected an amount as text like \"200000.00\", got {value!r}")
    try:
        return parse_money(value)
    except CarepoolError as error:
        raise CarepoolError(f"{where}.amount: {error.message}") from None


def _change(item: object, where: str) -> Change:
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        got = item.get("kind") if isinstance(item, dict) else item
        raise CarepoolError(f"{where}.kind: expected one of {', '.join(KINDS)}, got {got!r}")
    kind = item["kind"]
    unknown = [key for key in item if key not in _FIELDS[kind]]
    missing = [key for key in _REQUIRED[kind] if key not in item]
    if unknown or missing:
        detail = [f"unknown field(s) {', '.join(unknown)}"] if unknown else []
        detail += [f"missing field(s) {', '.join(missing)}"] if missing else []
        raise CarepoolError(f"{where}: {'; '.join(detail)}; a {kind} change has {', '.join(_FIELDS[kind])}")
    if kind == "move":
        return MoveContribution(parse_code(_text(item, "partner", where)), _text(item, "from", where),
                                _text(item, "to", where), _amount(item, where))
    if kind == "contribution":
        return SetContribution(_text(item, "scheme", where), parse_code(_text(item, "partner", where)),
                               _amount(item, where))
    scheme = _text(item, "scheme", where)
    if "overspend" not in item and "underspend" not in item:
        raise CarepoolError(f"{where}: a rules change needs an overspend or an underspend rule")
    over = rule_from_json(item["overspend"], side="overspend", scheme=scheme) if "overspend" in item else None
    under = rule_from_json(item["underspend"], side="underspend", scheme=scheme) if "underspend" in item else None
    return SetRules(scheme, over, under)  # type: ignore[arg-type]


def changes_from_json(data: object) -> list[Change]:
    """Read a list of changes, naming every one that is wrong."""
    if not isinstance(data, list) or not data:
        raise CarepoolError(f"changes: expected a list of at least one change, got {data!r}")
    changes: list[Change] = []
    problems: list[Problem] = []
    for index, item in enumerate(data):
        try:
            changes.append(_change(item, f"changes[{index}]"))
        except CarepoolError as error:
            problems.append(Problem(str(error)))
    if problems:
        raise CarepoolError.from_problems(f"the variation: {problems[0]}", problems[1:])
    return changes
