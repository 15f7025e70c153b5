"""An audit event's before/after payload as plain-worded lines a person can read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

CODE_LENGTH = 20  # the longest organisation code (partners' organisations.code)
SHORT = 48  # longer values (hashes, long reasons, award lists) are cut here; the full text stays one click away


@dataclass(frozen=True)
class Table:
    """Records (a settlement's partners, ledger postings, awards) as rows under a heading each."""

    headings: tuple[str, ...]  # empty: rows without headings (ledger postings)
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Shown:
    full: str
    table: Table | None = None  # the same value as a table, when it is a set of records

    @property
    def short(self) -> str:
        return self.full if len(self.full) <= SHORT else self.full[: SHORT - 1].rstrip() + "…"

    @property
    def cut(self) -> bool:
        return len(self.full) > SHORT


@dataclass(frozen=True)
class Detail:
    label: str
    now: Shown
    was: Shown | None = None  # set only when the field changed


def label(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


_AMOUNT = re.compile(r"-?[1-9]\d{3,}\.\d{2}", re.ASCII)  # a large number as the services store it: "19520000.00"
_PENCE = re.compile(r"-?(0|[1-9]\d*)\.\d{2}", re.ASCII)  # money as the services store it, in a money field
_FRACTION = re.compile(r"(0|1)(\.\d+)?", re.ASCII)  # a share of 1, in a share field

# The payloads are plain JSON, so what a number means comes from the field that holds it. A field here gives its
# kind to everything inside it (the partners' codes under "contributions", the rules under "rule_costs").
MONEY_FIELDS = frozenset({
    "actual", "alone", "amount", "annual", "annual_value", "balance", "budget", "caps", "carried_forward",
    "cheapest_yearly_cost", "contribution", "contributions", "contributions_due", "cost", "final_cost", "funded",
    "nucleolus", "outstanding", "overspend_share", "paid", "paid_since", "positions", "postings", "price",
    "proportional", "rule_costs", "saving", "shapley", "spend_posted", "unallocated", "underspend_share",
    "unpaid_contribution", "yearly_cost",
})
SHARE_FIELDS = frozenset({"shares", "share", "max_share", "min_sme_share", "min_award_fraction"})
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII)


def moment_text(stored: str) -> str:
    """A stored time ("2026-09-29T19:00:00+00:00") as the pages write times: "2026-09-29 19:00 UTC"."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    at = moment.astimezone(UTC) if moment.tzinfo is not None else moment  # services store UTC
    return at.strftime("%Y-%m-%d %H:%M:%S UTC" if at.second or at.microsecond else "%Y-%m-%d %H:%M UTC")


def _kind(key: str, inherited: str | None) -> str | None:
    if inherited is not None:
        return inherited
    return "money" if key in MONEY_FIELDS else "share" if key in SHARE_FIELDS else None


def _number(value: str, kind: str | None) -> str | None:
    """A stored number in a money field as the pages write money ("£19,520,000.00"), in a share field as a
    percentage ("30%"), and elsewhere, when large, with thousands separators; None when it is not one."""
    if kind == "money" and _PENCE.fullmatch(value):
        amount = Decimal(value)
        return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"
    if kind == "share" and _FRACTION.fullmatch(value) and Decimal(value) <= 1:
        return f"{(Decimal(value) * 100).normalize():f}%"
    return f"{Decimal(value):,.2f}" if _AMOUNT.fullmatch(value) else None


def _text(value: Any, depth: int = 0, kind: str | None = None) -> str:
    """A value in words: money and shares as the pages write them (by the field that holds them), other large
    amounts with thousands separators (digits otherwise as stored), times in UTC as the pages write them, yes/no,
    and containers spelled out: ``a, b`` for a list, ``key: value`` pairs, ``;`` between records, a record's key
    before ``—``, a record inside a record in brackets."""
    if value is None or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and (number := _number(value, kind)) is not None:
        return number
    if isinstance(value, str) and _MOMENT.fullmatch(value):
        return moment_text(value)
    if isinstance(value, dict):
        if depth == 0 and all(isinstance(v, dict) for v in value.values()):
            return "; ".join(f"{k} — {_text(v, 1, _kind(str(k), kind))}" for k, v in value.items())
        return ", ".join(f"{_key(str(k))}: {_inner(v, depth + 1, _kind(str(k), kind))}" for k, v in value.items())
    if isinstance(value, list | tuple):
        joiner = "; " if any(isinstance(v, list | tuple | dict) for v in value) else ", "
        return joiner.join(" ".join(_text(x, depth + 1, kind) for x in v) if isinstance(v, list | tuple)
                           else _text(v, depth + 1, kind) for v in value)
    return str(value)


def _inner(value: Any, depth: int, kind: str | None) -> str:
    """A value inside a record: a record of its own in brackets, so its commas read apart from the outer ones."""
    return f"({_text(value, depth, kind)})" if isinstance(value, dict) and value else _text(value, depth, kind)


def _key(key: str) -> str:
    return key.replace("_", " ") if key.islower() else key  # a field in words; a code (E09000005) as it is


def _cell(record: dict[str, Any], key: str, kind: str | None) -> str:
    return _text(record[key], 1, _kind(key, kind)) if key in record else ""  # a field this record lacked: blank


def _table(value: Any, kind: str | None) -> Table | None:
    """Two or more records of the same kind as a table: a list of records, records by name, or rows of values."""
    if isinstance(value, dict) and len(value) > 1 and all(isinstance(v, dict) for v in value.values()):
        keys = list(dict.fromkeys(k for v in value.values() for k in v))
        return Table(("", *(_key(str(k)) for k in keys)),  # a row's name may say what it holds ("contributions")
                     tuple((str(name), *(_cell(v, k, _kind(str(name), kind)) for k in keys))
                           for name, v in value.items()))
    if not isinstance(value, list) or len(value) < 2:
        return None
    if all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        return Table(tuple(_key(str(k)) for k in keys),
                     tuple(tuple(_cell(v, k, kind) for k in keys) for v in value))
    if all(isinstance(v, list | tuple) for v in value):
        return Table((), tuple(tuple(_text(x, 1, kind) for x in v) for v in value))
    return None


def shown(value: Any, field: str = "") -> Shown:
    """``value`` in words, and as a table when it is a set of records; ``field`` (the key that holds it) says
    whether its numbers are money or shares."""
    kind = _kind(field, None)
    return Shown(_text(value, 0, kind), _table(value, kind))


def _fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Detail]:
    old = before or {}  # a field the event did not record before has no old value to show
    keys = list(after) + [k for k in old if k not in after]
    return [Detail(label(k), shown(after.get(k), k),
                   shown(old[k], k) if k in old and old[k] != after.get(k) else None) for k in keys]


def codes_in(*payloads: Any) -> set[str]:
    """Every string in the payloads, as key or value, that could be an organisation's code (short, one word):
    the ones whose names a page must look up to show them."""
    found: set[str] = set()
    stack = list(payloads)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if 0 < len(value) <= CODE_LENGTH and " " not in value:
                found.add(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return found


def _named(value: Any, names: Mapping[str, str]) -> Any:
    """The payload with each organisation's code, as a key or as a whole value, read as its name."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {names.get(k, k): _named(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_named(v, names) for v in value]
    return value


def details(before: Any, after: Any, names: Mapping[str, str] | None = None) -> list[Detail]:
    """One line per field of ``after``, with the old value where ``before`` differs; a payload that is not an
    object (a list of awards, say) is one line of its own. ``names`` (organisations' names by code) turns the
    codes the services store ("E09000005") into the names people know."""
    if names:
        before, after = _named(before, names), _named(after, names)
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        return [] if before is None and after is None else _fields(before, after or {})
    lines = [] if before is None else [Detail("Before", shown(before))]
    if isinstance(after, dict):
        return lines + _fields(None, after)
    return [*lines, Detail("After" if lines else "Details", shown(after))]
