"""UK public-sector financial years (April to March) and their months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from carepool.core.errors import CarepoolError

_YEAR = re.compile(r"^(?P<start>\d{4})\s*[/-]\s*(?P<end>\d{2}|\d{4})$")
MONTH_NAMES = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
# Pooled budgets date from 1999 (section 31 of the Health Act 1999); a year outside these is a typo, and one
# near the calendar's ends would break date arithmetic (year 0 has no 1 April, 9999/00 no 31 March).
FIRST_START, LAST_START = 1999, 2100


def parse_day(text: str, *, what: str, example: str = "2025-04-15") -> date:
    """A day typed as ISO 8601, or a refusal naming the field (``--on``, ``date``) and what was expected."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CarepoolError(f"{what}: expected a date like {example}, got {text!r}") from None


@dataclass(frozen=True, order=True, slots=True)
class FinancialYear:
    """The year from 1 April ``start`` to 31 March ``start + 1``, written ``2024/25``."""

    start: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = _YEAR.match(str(text).strip())
        if not match:
            raise CarepoolError(f"{text!r} is not a financial year: expected e.g. \"2024/25\"")
        start, end = int(match["start"]), int(match["end"])
        expected_end = start + 1
        if end != expected_end and end != expected_end % 100:
            raise CarepoolError(
                f"{text!r} is not a financial year: the second year must follow the first, "
                f"e.g. \"{start}/{expected_end % 100:02d}\""
            )
        if not FIRST_START <= start <= LAST_START:
            raise CarepoolError(
                f"{text!r} is not a financial year carepool can hold: expected a year from "
                f"{cls(FIRST_START).label} to {cls(LAST_START).label}"
            )
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    def months(self) -> list[FinancialMonth]:
        return [FinancialMonth(self, n) for n in range(1, 13)]

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True, slots=True)
class FinancialMonth:
    """Month ``number`` of a financial year: 1 is April, 12 is March."""

    year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise CarepoolError(f"month {self.number} is outside a financial year (1 = April .. 12 = March)")

    @classmethod
    def containing(cls, day: date) -> FinancialMonth:
        year = FinancialYear.containing(day)
        return cls(year, (day.month - 4) % 12 + 1)

    @property
    def calendar_year(self) -> int:
        return self.year.start if self.number <= 9 else self.year.start + 1

    @property
    def calendar_month(self) -> int:
        return (self.number + 2) % 12 + 1

    @property
    def first_day(self) -> date:
        return date(self.calendar_year, self.calendar_month, 1)

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.number - 1]} {self.calendar_year}"

    def __str__(self) -> str:
        return self.label
