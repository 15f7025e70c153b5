"""Reading single values (amounts, shares, codes, rule names) the same way from JSON and Excel."""

from __future__ import annotations

from decimal import Decimal

from carepool.core.errors import CarepoolError
from carepool.core.money import Money, decimal_from_text
from carepool.pooled_budget.model import Excess

# The most any one amount of a pool may be, either way. The largest pooled budgets are a few hundred
# million pounds, so anything above this is a typo or the wrong units, and refusing it here keeps
# every sum of pool amounts far inside what the ledger's 64-bit pence columns hold.
MOST = Money(1_000_000_000_000)  # £10,000,000,000.00


def _too_large(value: str | int | Decimal) -> CarepoolError:
    shown = f"{value:f}" if isinstance(value, Decimal) else str(value).strip()
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return CarepoolError(f"expected an amount of at most {MOST} either way, got {shown!r}; "
                         "check for a typo or a figure in the wrong units")


def parse_money(value: str | int | Decimal) -> Money:
    """An exact amount of at most ``MOST`` either way; the error message is bare so the caller can say where."""
    if isinstance(value, Decimal) and value.is_finite() and abs(value) > MOST.amount:
        raise _too_large(value)  # before the conversion, which for 1E+999999 would take a long time
    try:
        money = Money.parse(value, what="amount")
    except CarepoolError as error:
        raise CarepoolError(error.message.removeprefix("amount: ")) from None
    except ValueError:  # int() refuses text of thousands of digits
        raise _too_large(value) from None
    if abs(money.pence) > MOST.pence:
        raise _too_large(value)
    return money


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
