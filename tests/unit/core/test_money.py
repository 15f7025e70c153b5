from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carepool.core.errors import CarepoolError
from carepool.core.money import LARGEST_PENCE, LARGEST_QUANTITY, Money, Rounding, allocate_int, refuse_beyond

pence = st.integers(min_value=-10**13, max_value=10**13)
weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(any)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.56", 123456), ("£1,234.56", 123456), ("-£5", -500), ("0.5", 50), ("(12.30)", -1230),
     ("  £10  ", 1000), ("1,000,000", 100_000_000)],
)
def test_parse_accepts_what_people_type(text: str, expected: int) -> None:
    assert Money.parse(text).pence == expected


def test_parse_takes_decimal_and_whole_pounds() -> None:
    assert Money.parse(Decimal("1.50")) == Money(150)
    assert Money.parse(Decimal("1.500")) == Money(150)
    assert Money.parse(7) == Money(700)


@pytest.mark.parametrize("bad", ["1.234", "abc", "1,23.00", "", "£", "1.2.3", "NaN"])
def test_parse_refuses_garbage_and_fractions_of_a_penny(bad: str) -> None:
    with pytest.raises(CarepoolError):
        Money.parse(bad)


def test_parse_refuses_float_with_a_reason() -> None:
    with pytest.raises(CarepoolError, match="float"):
        Money.parse(0.1)  # type: ignore[arg-type]


def test_parse_names_the_fraction_of_a_penny() -> None:
    with pytest.raises(CarepoolError, match="fraction of a penny"):
        Money.parse(Decimal("0.001"))


def test_format() -> None:
    assert str(Money(123456)) == "£1,234.56"
    assert str(Money(-5)) == "-£0.05"
    assert Money(-123456).plain() == "-1234.56"


def test_arithmetic_and_comparison() -> None:
    assert Money(150) + Money(50) == Money(200)
    assert Money(150) - Money(200) == Money(-50)
    assert Money(150) * 3 == Money(450)
    assert Money(100) < Money(101)
    with pytest.raises(TypeError):
        Money(100) * Decimal("1.5")  # type: ignore[operator]


def test_times_rounds_as_told() -> None:
    half = Fraction(1, 2)
    assert Money(5).times(half, rounding=Rounding.HALF_UP) == Money(3)
    assert Money(5).times(half, rounding=Rounding.HALF_EVEN) == Money(2)
    assert Money(7).times(half, rounding=Rounding.HALF_EVEN) == Money(4)
    assert Money(-5).times(half, rounding=Rounding.HALF_UP) == Money(-3)
    assert Money(5).times(half, rounding=Rounding.DOWN) == Money(2)
    assert Money(1001).times(Decimal("0.3"), rounding=Rounding.UP) == Money(301)


def test_allocate_ties_go_to_the_first_listed() -> None:
    assert Money(1).allocate([1, 1]) == [Money(1), Money(0)]
    assert Money(100).allocate([1, 1, 1]) == [Money(34), Money(33), Money(33)]
    assert Money(-100).allocate([1, 1, 1]) == [Money(-34), Money(-33), Money(-33)]
    assert Money(1000).allocate([0, 1]) == [Money(0), Money(1000)]


def test_allocate_refuses_bad_weights() -> None:
    for bad in ([], [0, 0], [1, -1], [0.5, 0.5]):
        with pytest.raises(CarepoolError):
            Money(100).allocate(bad)  # type: ignore[arg-type]


@given(pence, weights)
def test_allocation_always_sums_exactly(amount: int, shares: list[int]) -> None:
    parts = Money(amount).allocate(shares)
    assert sum(p.pence for p in parts) == amount
    assert len(parts) == len(shares)


@given(st.integers(min_value=0, max_value=10**13), weights)
def test_allocation_of_a_positive_amount_is_never_negative(amount: int, shares: list[int]) -> None:
    parts = Money(amount).allocate(shares)
    assert all(p.pence >= 0 for p in parts)
    assert all(p.pence == 0 for p, w in zip(parts, shares, strict=True) if w == 0)


@given(st.integers(min_value=0, max_value=10**9), weights)
def test_allocation_is_within_a_penny_of_the_exact_share(amount: int, shares: list[int]) -> None:
    total = sum(shares)
    for part, weight in zip(allocate_int(amount, shares), shares, strict=True):
        assert abs(part - Fraction(amount * weight, total)) < 1


@given(st.integers(min_value=-LARGEST_PENCE, max_value=LARGEST_PENCE))
def test_format_then_parse_round_trips(amount: int) -> None:
    money = Money(amount)
    assert Money.parse(str(money)) == money
    assert Money.parse(money.plain()) == money
    assert Money.parse(money.amount) == money


def test_percent_is_one_spelling_rounded_half_up() -> None:
    from carepool.core.money import percent

    assert percent(Decimal("0.1985")) == "19.9%"  # float formatting gave 19.8% on the chart, 19.9% in the table
    assert percent(Decimal("0.1984")) == "19.8%"
    assert percent(0) == "0.0%" and percent(1) == "100.0%"
    assert percent(Decimal("0.33335"), 2) == "33.34%"


def test_amounts_and_quantities_beyond_anything_real_are_refused_by_name() -> None:
    assert Money.parse("-10,000,000,000.00") == Money(-LARGEST_PENCE)
    for typed in ("10000000000.01", "-10000000000.01", 10**11, Decimal("1e30"), Decimal("1E+999999"), "9" * 5000):
        with pytest.raises(CarepoolError, match=r"contribution: expected an amount of at most £10,000,000,000.00 "
                                                r"either way, got '.{1,40}'; check for a typo"):
            Money.parse(typed, what="contribution")
    refuse_beyond(LARGEST_QUANTITY, LARGEST_QUANTITY, what="hours", given="1e9")
    with pytest.raises(CarepoolError, match="hours: expected at most 1,000,000,000, got '1e30'; check for a typo"):
        refuse_beyond(Decimal("1e30"), LARGEST_QUANTITY, what="hours", given="1e30")


def test_amounts_carepool_stored_itself_are_read_back_whatever_their_size() -> None:
    """A statement's totals are sums of amounts typed: they may pass the limit on one typed amount."""
    assert Money.from_stored("12000000000.00") == Money(1_200_000_000_000)
    assert Money.from_stored("-12000000000.01") == Money(-1_200_000_000_001)
    with pytest.raises(CarepoolError):
        Money.parse("12000000000.00")
