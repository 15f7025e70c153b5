"""An audit event's before/after payload as plain-worded lines a person can read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

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


_AMOUNT = re.compile(r"-?[1-9]\d{3,}\.\d{2}", re.ASCII)  # money as the services store it: "19520000.00"
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII)


def moment_text(stored: str) -> str:
    """A stored time ("2026-09-29T19:00:00+00:00") as the pages write times: "2026-09-29 19:00 UTC"."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    at = moment.astimezone(UTC) if moment.tzinfo is not None else moment  # services store UTC
    return at.strftime("%Y-%m-%d %H:%M:%S UTC" if at.second or at.microsecond else "%Y-%m-%d %H:%M UTC")


def _text(value: Any, depth: int = 0) -> str:
    """A value in words: amounts with thousands separators (digits otherwise as stored), times in UTC as the pages
    write them, yes/no, and containers
    spelled out: ``a, b`` for a list, ``key: value`` pairs, ``;`` between records, a record's key before ``—``,
    a record inside a record in brackets."""
    if value is None or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _AMOUNT.fullmatch(value):
        return f"{Decimal(value):,.2f}"
    if isinstance(value, str) and _MOMENT.fullmatch(value):
        return moment_text(value)
    if isinstance(value, dict):
        if depth == 0 and all(isinstance(v, dict) for v in value.values()):
            return "; ".join(f"{k} — {_text(v, 1)}" for k, v in value.items())
        return ", ".join(f"{_key(str(k))}: {_inner(v, depth + 1)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        joiner = "; " if any(isinstance(v, list | tuple | dict) for v in value) else ", "
        return joiner.join(" ".join(map(_text, v)) if isinstance(v, list | tuple) else _text(v, depth + 1)
                           for v in value)
    return str(value)


def _inner(value: Any, depth: int) -> str:
    """A value inside a record: a record of its own in brackets, so its commas read apart from the outer ones."""
    return f"({_text(value, depth)})" if isinstance(value, dict) and value else _text(value, depth)


def _key(key: str) -> str:
    return key.replace("_", " ") if key.islower() else key  # a field in words; a code (E09000005) as it is


def _cell(record: dict[str, Any], key: str) -> str:
    return _text(record[key], 1) if key in record else ""  # a field this record did not have: blank


def _table(value: Any) -> Table | None:
    """Two or more records of the same kind as a table: a list of records, records by name, or rows of values."""
    if isinstance(value, dict) and len(value) > 1 and all(isinstance(v, dict) for v in value.values()):
        keys = list(dict.fromkeys(k for v in value.values() for k in v))
        return Table(("", *(_key(str(k)) for k in keys)),
                     tuple((str(name), *(_cell(v, k) for k in keys)) for name, v in value.items()))
    if not isinstance(value, list) or len(value) < 2:
        return None
    if all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        return Table(tuple(_key(str(k)) for k in keys), tuple(tuple(_cell(v, k) for k in keys) for v in value))
    if all(isinstance(v, list | tuple) for v in value):
        return Table((), tuple(tuple(_text(x, 1) for x in v) for v in value))
    return None


def shown(value: Any) -> Shown:
    return Shown(_text(value), _table(value))


def _fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Detail]:
    old = before or {}  # a field the event did not record before has no old value to show
    keys = list(after) + [k for k in old if k not in after]
    return [Detail(label(k), shown(after.get(k)),
                   shown(old[k]) if k in old and old[k] != after.get(k) else None) for k in keys]


def details(before: Any, after: Any) -> list[Detail]:
    """One line per field of ``after``, with the old value where ``before`` differs; a payload that is not an
    object (a list of awards, say) is one line of its own."""
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        return [] if before is None and after is None else _fields(before, after or {})
    lines = [] if before is None else [Detail("Before", shown(before))]
    if isinstance(after, dict):
        return lines + _fields(None, after)
    return [*lines, Detail("After" if lines else "Details", shown(after))]
