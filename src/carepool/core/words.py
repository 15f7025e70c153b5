"""Lists in plain English, one way for every feature: "A", "A and B", "A, B and C", and a verb that agrees with
the list ("once B approves", "once B and C approve")."""

from __future__ import annotations

from collections.abc import Sequence


def joined(items: Sequence[str]) -> str:
    """The items as words: "A", "A and B", "A, B and C" (no comma before the last "and")."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def with_verb(items: Sequence[str], singular: str, plural: str) -> str:
    """The items as words followed by the verb agreeing with them: "B approves", "B and C approve"."""
    return f"{joined(items)} {singular if len(items) == 1 else plural}"
