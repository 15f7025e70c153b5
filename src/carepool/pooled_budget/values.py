"""Reading single values (amounts, shares, codes, rule names) the same way from JSON and Excel."""

from __future__ import annotations

from decimal import Decimal

from carepool.core.errors import CarepoolError
from carepool.core.money import LARGEST_PENCE, Money, decimal_from_text
from carepool.pooled_budget.model import Excess

MOST = Money(LARGEST_PENCE)  # the most any one amount may be, either way (``Money.parse`` refuses more)


def parse_money(value: str | int | Decimal) -> Money:
    """An exact amount of at most ``MOST`` either way; the error message is bare so the caller can say where."""
    try:
        return Money.parse(value, what="amount")
    except CarepoolError as error:
        raise CarepoolError(error.message.removeprefix("amount: ")) from None


def parse_share(value: str | int | Decimal) -> Decimal:
    try:
        share = decimal_from_text(value, what="share")
    except CarepoolError as error:
        raise CarepoolError(error.message.removeprefix("share: ")) from None
    return share


def parse_code(text: str) -> str:
    """Organisation codes are compared upper case, without surrounding spaces."""
    return text.strip().upper()


def rule_name(text: str) -> str:
    """``"Carry forward"`` and ``"carry-forward"`` both mean ``carry_forward``."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def parse_excess(text: str) -> Excess:
    name = rule_name(text)
    if name not in {e.value for e in Excess}:
        raise CarepoolError(f"expected \"host\" or \"unallocated\", got {text!r}")
    return Excess(name)


def describe(value: object) -> str:
    """What kind of JSON value a person gave, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | Decimal):
        return f"the number {value}"
    return repr(value)
