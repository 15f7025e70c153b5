"""round_to_total: exact parts (even negative ones) to whole pence that still add up to the whole."""

from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carepool.core.errors import CarepoolError
from carepool.core.money import allocate_int, round_to_total


def test_a_saving_of_100p_in_thirds_gives_the_spare_penny_to_the_first_listed() -> None:
    third = Fraction(100, 3)
    assert round_to_total([third, third, third], 100) == [34, 33, 33]


def test_the_largest_remainder_gets_the_spare_penny_whatever_the_order() -> None:
    # 10.2 + 20.5 + 69.3 = 100: floors 10 + 20 + 69 = 99, one spare penny to the .5
    parts = [Decimal("10.2"), Decimal("20.5"), Decimal("69.3")]
    assert round_to_total(parts, 100) == [10, 21, 69]
    assert round_to_total(list(reversed(parts)), 100) == [69, 21, 10]


def test_negative_parts_round_down_then_up_like_any_other() -> None:
    # a member whose exact share is -50 2/3p next to one at 150 2/3p: -50 2/3 floors to -51 (remainder 1/3),
    # 150 2/3 floors to 150 (remainder 2/3); one spare penny, to the larger remainder
    parts = [Fraction(-152, 3), Fraction(452, 3)]
    assert sum(parts) == 100
    assert round_to_total(parts, 100) == [-51, 151]


def test_a_negative_total_is_rounded_the_same_way() -> None:
    half = Fraction(-5, 2)
    assert round_to_total([half, half], -5) == [-2, -3]


def test_whole_parts_stay_exactly_as_they_are() -> None:
    assert round_to_total([7, -3, 0], 4) == [7, -3, 0]
    assert round_to_total([], 0) == []


def test_parts_that_do_not_add_up_to_the_total_are_refused() -> None:
    with pytest.raises(CarepoolError, match="not to the total 100"):
        round_to_total([Fraction(100, 3), Fraction(100, 3)], 100)


@pytest.mark.parametrize("bad", [0.5, True])
def test_inexact_parts_are_refused(bad: object) -> None:
    with pytest.raises(CarepoolError, match="exact"):
        round_to_total([bad, Fraction(1, 2)], 1)  # type: ignore[list-item]


def test_the_total_must_be_whole() -> None:
    with pytest.raises(CarepoolError, match="whole number"):
        round_to_total([Fraction(1, 2)], Fraction(1, 2))  # type: ignore[arg-type]


def test_allocate_int_still_splits_by_largest_remainder() -> None:
    assert allocate_int(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate_int(-100, [1, 1, 1]) == [-34, -33, -33]
    assert allocate_int(10, [0, 3, 7]) == [0, 3, 7]


parts_lists = st.lists(
    st.fractions(min_value=-10**9, max_value=10**9, max_denominator=1000), min_size=1, max_size=8
)


@given(parts_lists, st.integers(min_value=-10**9, max_value=10**9))
def test_rounded_parts_sum_to_the_total_and_each_is_its_floor_or_ceiling(
    parts: list[Fraction], total: int
) -> None:
    # move the first part so the exact parts add up to the integer total
    parts = [parts[0] + total - sum(parts), *parts[1:]]
    rounded = round_to_total(parts, total)
    assert sum(rounded) == total
    for whole, exact in zip(rounded, parts, strict=True):
        assert whole in (floor(exact), ceil(exact))
