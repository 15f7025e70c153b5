"""Brackets mean a negative amount; a sign inside them is refused, never read the other way round."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carepool.core.errors import CarepoolError
from carepool.core.money import LARGEST_PENCE, Money

amounts = st.integers(min_value=0, max_value=LARGEST_PENCE).map(Money)


@given(amounts)
def test_an_amount_in_brackets_is_its_negative(amount: Money) -> None:
    assert Money.parse(f"({amount.plain()})") == -amount
    assert Money.parse(f"({amount})") == -amount  # as shown, £ and thousands commas included


@given(amounts, st.sampled_from(["-", "+"]))
def test_a_sign_inside_brackets_is_refused(amount: Money, sign: str) -> None:
    with pytest.raises(CarepoolError, match="has a sign inside brackets"):
        Money.parse(f"({sign}{amount.plain()})")


def test_the_double_negative_is_refused_with_what_to_write() -> None:
    with pytest.raises(CarepoolError) as refused:
        Money.parse("(-100.00)", what="amount")
    assert refused.value.message == ("amount: '(-100.00)' has a sign inside brackets; brackets already mean a "
                                     "negative amount, so write \"(100.00)\" or \"-100.00\"")
