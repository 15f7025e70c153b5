"""Strict JSON from a file or a request body: one reader for every feature.

Decimals are read exactly (``Decimal``, or a caller's subclass such as the award's
``JsonDecimal``), ``NaN`` and ``Infinity`` are refused, and so is a key repeated in one
object, which would otherwise silently drop an amount. Every mistake is one line naming
the file (or what was read) and where in it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from carepool.core.errors import CarepoolError


def load_json(path: Path, *, parse_float: Callable[[str], Any] = Decimal) -> object:
    """Parse a JSON file strictly."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CarepoolError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CarepoolError(f"{path}: cannot read the file ({error})") from None
    return parse_json(text, what=str(path), parse_float=parse_float)


def parse_json(text: str | bytes, *, what: str = "the request body",
               parse_float: Callable[[str], Any] = Decimal) -> object:
    """Parse JSON text the same strict way as files (for API bodies too)."""
    try:
        return json.loads(text, parse_float=parse_float, parse_constant=_no_constant,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise CarepoolError(f"{what} is not valid JSON: {error.msg} at line {error.lineno}, "
                            f"column {error.colno}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise CarepoolError(f"{what} is not valid JSON: {error}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} appears twice in one object")
        seen[key] = value
    return seen
