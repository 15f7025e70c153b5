"""Exact money: integer pence, GBP, immutable; never float.

One way in for amounts (``Money.parse``), one way to split them
(``Money.allocate``, largest remainder, ties to the earlier-listed party).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from carepool.core.errors import CarepoolError

_AMOUNT = re.compile(
    r"^(?P<sign>[-+])?£?(?P<units>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?$"
)


# The most any one amount typed or imported may be, either way. The largest pooled budgets are a few hundred
# million pounds and an hour of care costs tens of pounds, so anything above this is a typo or the wrong units,
# and refusing it where it is read keeps every sum of amounts far inside 64-bit pence columns.
LARGEST_PENCE = 1_000_000_000_000  # £10,000,000,000.00
LARGEST_QUANTITY = Decimal(1_000_000_000)  # hours or placements: the same reasoning, for *_cents columns
_SLIP = "check for a typo or a figure in the wrong units"


def _shown(given: object) -> str:
    plain = isinstance(given, Decimal) and given.is_finite() and abs(given.adjusted()) < 40  # not 1E+999999 spelt out
    shown = f"{given:f}" if plain else str(given).strip()
    return repr(shown if len(shown) <= 40 else shown[:37] + "...")


def refuse_beyond(number: Decimal, largest: Decimal, *, what: str | None, given: object) -> None:
    """Refuse a number typed far beyond anything real (a slip, or an attempt to overflow storage) by name
    (``what``; None where the caller names the field, as a table reader does)."""
    if abs(number) > largest:
        named = f"{what}: " if what else ""
        raise CarepoolError(f"{named}expected at most {largest:,}, got {_shown(given)}; {_SLIP}")


class Rounding(StrEnum):
    """How a product that lands between two pence is rounded; always explicit."""

    HALF_UP = "half_up"  # 0.5p away from zero, as most finance teams expect
    HALF_EVEN = "half_even"  # banker's rounding
    DOWN = "down"  # towards zero
    UP = "up"  # away from zero


Weight = int | Decimal | Fraction


def _as_fraction(value: Weight, what: str) -> Fraction:
    if isinstance(value, bool | float):
        raise CarepoolError(f"{what} must be exact (int, Decimal or Fraction), not {value!r}")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CarepoolError(f"{what} must be a finite number, not {value}")
        return Fraction(value)
    raise CarepoolError(f"{what} must be a number, not {value!r}")


def _round_fraction(value: Fraction, rounding: Rounding) -> int:
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    remainder = Fraction(rest, magnitude.denominator)
    if remainder == 0:
        return sign * whole
    if rounding is Rounding.DOWN:
        bump = False
    elif rounding is Rounding.UP:
        bump = True
    elif remainder != Fraction(1, 2):
        bump = remainder > Fraction(1, 2)
    elif rounding is Rounding.HALF_UP:
        bump = True
    else:
        bump = whole % 2 == 1
    return sign * (whole + (1 if bump else 0))


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount of pounds sterling held as integer pence."""

    pence: int

    def __post_init__(self) -> None:
        if isinstance(self.pence, bool) or not isinstance(self.pence, int):
            raise CarepoolError(f"Money holds whole pence as an int, not {self.pence!r}")

    # --- construction -------------------------------------------------------
    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, value: str | Decimal | int | Money, *, what: str = "amount") -> Money:
        """Read ``"1234.56"``, ``"£1,234.56"``, ``"-5"``, ``Decimal("1.50")`` or int pounds.

        Floats, fractions of a penny and anything else are refused with a message
        that says what was expected.
        """
        if isinstance(value, Money):
            return value
        too_large = CarepoolError(f"{what}: expected an amount of at most {cls(LARGEST_PENCE)} either way, "
                                  f"got {_shown(value)}; {_SLIP}")
        if isinstance(value, Decimal) and value.is_finite() and abs(value) > Decimal(LARGEST_PENCE) / 100:
            raise too_large  # before the conversion, which for 1E+999999 would take a long time
        try:
            amount = cls._parse(value, what)
        except ValueError:  # int() refuses text of thousands of digits
            raise too_large from None
        if abs(amount.pence) > LARGEST_PENCE:
            raise too_large
        return amount

    @classmethod
    def from_stored(cls, text: str) -> Money:
        """An amount carepool wrote itself (a settlement statement's totals, which are sums of amounts typed):
        read exactly, without the limit on what may be typed."""
        return cls._parse(text, "stored amount")

    @classmethod
    def _parse(cls, value: str | Decimal | int, what: str) -> Money:
        if isinstance(value, bool | float):
            raise CarepoolError(
                f"{what}: {value!r} is a float; give money as text like \"1234.56\" "
                "or a Decimal so no penny is lost"
            )
        if isinstance(value, int):
            return cls(value * 100)
        if isinstance(value, Decimal):
            return cls._from_decimal(value, what)
        if isinstance(value, str):
            return cls._from_text(value, what)
        raise CarepoolError(f"{what}: expected an amount like \"1234.56\", got {value!r}")

    @classmethod
    def _from_decimal(cls, value: Decimal, what: str) -> Money:
        if not value.is_finite():
            raise CarepoolError(f"{what}: {value} is not an amount of money")
        pence = value * 100
        if pence != pence.to_integral_value():
            raise CarepoolError(f"{what}: {value} has a fraction of a penny; use at most 2 decimals")
        return cls(int(pence))

    @classmethod
    def _from_text(cls, text: str, what: str) -> Money:
        cleaned = text.strip().replace(" ", "")
        negative = False
        if cleaned.startswith("(") and cleaned.endswith(")"):
            negative, cleaned = True, cleaned[1:-1]
            if cleaned.startswith(("-", "+")):  # "(-100.00)": a double negative, or a slip; not for us to guess
                raise CarepoolError(f"{what}: {text!r} has a sign inside brackets; brackets already mean a "
                                    "negative amount, so write \"(100.00)\" or \"-100.00\"")
        if cleaned.startswith("-£") or cleaned.startswith("+£"):
            cleaned = cleaned[0] + cleaned[2:]
        match = _AMOUNT.match(cleaned)
        if not match:
            if re.match(r"^[-+(]?£?[\d,]*\.\d{3,}\)?$", cleaned):
                raise CarepoolError(
                    f"{what}: {text!r} has a fraction of a penny; use at most 2 decimals"
                )
            raise CarepoolError(f"{what}: expected an amount like \"1234.56\" or \"£1,234.56\", got {text!r}")
        units = int(match["units"].replace(",", ""))
        frac = int((match["frac"] or "0").ljust(2, "0"))
        pence = units * 100 + frac
        if match["sign"] == "-":
            negative = not negative
        return cls(-pence if negative else pence)

    @classmethod
    def sum(cls, amounts: Iterable[Money]) -> Money:
        return cls(sum((a.pence for a in amounts), 0))

    # --- views --------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        """The amount in pounds as an exact Decimal with two places."""
        return (Decimal(self.pence) / 100).quantize(Decimal("0.01"))

    def plain(self) -> str:
        """Two-decimal text without symbol or separators: ``-1234.56``."""
        return f"{self.amount:.2f}"

    def __str__(self) -> str:
        sign = "-" if self.pence < 0 else ""
        return f"{sign}£{abs(self.amount):,.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.plain()}')"

    # --- arithmetic ---------------------------------------------------------
    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.pence + other.pence)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.pence - other.pence)

    def __neg__(self) -> Money:
        return Money(-self.pence)

    def __abs__(self) -> Money:
        return Money(abs(self.pence))

    def __mul__(self, other: int) -> Money:
        """Exact multiplication by a whole number; use ``times`` for rates."""
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Money(self.pence * other)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.pence != 0

    def times(self, factor: Weight, *, rounding: Rounding) -> Money:
        """Multiply by a Decimal or Fraction rate, rounding to the penny as told."""
        return Money(_round_fraction(self.pence * _as_fraction(factor, "factor"), rounding))

    def is_negative(self) -> bool:
        return self.pence < 0

    # --- splitting ----------------------------------------------------------
    def allocate(self, weights: Sequence[Weight]) -> list[Money]:
        """Split into parts proportional to ``weights`` that sum exactly to ``self``.

        Largest remainder (see ``allocate_int``); ties go to the party listed first,
        and every part has the sign of the whole.
        """
        return [Money(part) for part in allocate_int(self.pence, weights)]


def allocate_int(total: int, weights: Sequence[Weight]) -> list[int]:
    """Split a whole number by ``weights`` so the parts sum exactly (largest remainder).

    Everyone gets the floor of their exact share, then the leftover units go one
    each to the largest fractional remainders; ties go to the party listed first.
    A negative total is split as its magnitude and negated.
    """
    if not weights:
        raise CarepoolError("cannot split an amount among no parties")
    exact = [_as_fraction(w, "weight") for w in weights]
    if any(w < 0 for w in exact):
        raise CarepoolError("weights for a split must not be negative")
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        raise CarepoolError("cannot split by weights that are all zero")
    magnitude = abs(total)
    quotas = [magnitude * w / weight_sum for w in exact]
    sign = -1 if total < 0 else 1
    return [sign * part for part in round_to_total(quotas, magnitude)]


def round_to_total(exact: Sequence[Weight], total: int) -> list[int]:
    """Round exact parts (which may be negative) to whole units that still sum exactly to ``total``.

    Each part becomes its floor, then the leftover units go one each to the largest fractional remainders;
    ties go to the part listed first. The exact parts must already sum to ``total``.
    """
    if isinstance(total, bool) or not isinstance(total, int):
        raise CarepoolError(f"the total to round to must be a whole number, not {total!r}")
    parts = [_as_fraction(part, "part") for part in exact]
    if sum(parts, Fraction(0)) != total:
        raise CarepoolError(f"the parts sum to {sum(parts, Fraction(0))}, not to the total {total}; "
                            "cannot round them to it")
    floors = [part.numerator // part.denominator for part in parts]
    leftover = total - sum(floors)  # 0 <= leftover < len(parts): the remainders are each below 1
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors


def decimal_from_text(value: str | Decimal | int, *, what: str) -> Decimal:
    """Read a rate or share exactly; floats are refused like they are for money."""
    if isinstance(value, bool | float):
        raise CarepoolError(f"{what}: {value!r} is a float; give it as text like \"0.25\"")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise CarepoolError(f"{what}: expected a number like \"0.25\", got {value!r}") from None
    if not result.is_finite():
        raise CarepoolError(f"{what}: expected a finite number, got {value!r}")
    return result


__all__ = ["LARGEST_PENCE", "LARGEST_QUANTITY", "Money", "Rounding", "Weight", "allocate_int", "decimal_from_text",
           "refuse_beyond", "round_to_total"]


def percent(share: Decimal | int, places: int = 1) -> str:
    """A share of 1 as a percentage rounded half up, the one spelling for pages, charts and the CLI:
    ``percent(Decimal("0.1985")) == "19.9%"`` (float formatting would say 19.8% or 19.9% by chance)."""
    value = (Decimal(share) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value:,}%"
