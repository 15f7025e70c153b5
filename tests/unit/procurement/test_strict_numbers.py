"""Numbers typed into rules and quantities: ASCII digits, thousands grouped properly, or a clear refusal."""

from decimal import Decimal

import pytest

from carepool.core.errors import CarepoolError
from carepool.procurement.award_rules import AwardRules
from carepool.procurement.model import quantity


@pytest.mark.parametrize(("typed", "expected"), [("2", 2), (3, 3), (" 12 ", 12), ("999", 999)])
def test_max_providers_reads_a_whole_number(typed: object, expected: int) -> None:
    assert AwardRules.parse({"max_providers": typed}).max_providers == expected


@pytest.mark.parametrize("typed", ["1\u00b2", "\u0662", "0", "1000", "2.0", 2.0, True, "1e2", "-1"])
def test_max_providers_refuses_anything_else_by_name(typed: object) -> None:
    with pytest.raises(CarepoolError) as refused:
        AwardRules.parse({"max_providers": typed})
    assert refused.value.message == ("The award rules need correcting:\n  Most providers per lot (max_providers): "
                                     f"must be a whole number from 1 to 999, got {typed!r}")


@pytest.mark.parametrize(("typed", "expected"), [("1,830", "1830.00"), ("1,830.5", "1830.50"), ("120.5", "120.50"),
                                                 (".5", "0.50"), (Decimal("1E+2"), "100.00"), (7, "7.00"),
                                                 (0.1, "0.10"), ("1.5e3", "1500.00")])
def test_quantity_reads_grouped_thousands(typed: object, expected: str) -> None:
    assert quantity(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["1,8,3,0", "18,30", "1,8300", "1\u00b2", "\u0661\u0662", "1_000", "",
                                   "1,830,", ".", "e3", "1,5e3"])
def test_quantity_refuses_commas_anywhere_and_other_digits(typed: str) -> None:
    with pytest.raises(CarepoolError, match=r"hours: expected a number like 120.5, got "):
        quantity(typed, what="hours")
