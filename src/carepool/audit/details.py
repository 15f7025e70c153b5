"""An audit event's before/after payload as plain-worded lines a person can read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SHORT = 48  # longer values (hashes, long reasons, award lists) are cut here; the full text stays one click away


@dataclass(frozen=True)
class Shown:
    full: str

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


def shown(value: Any) -> Shown:
    """Values as stored (numbers are not reinterpreted); containers as short JSON."""
    if value is None or value == [] or value == {}:
        return Shown("none")
    if isinstance(value, bool):
        return Shown("yes" if value else "no")
    if isinstance(value, list | dict):
        return Shown(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))
    return Shown(str(value))


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
