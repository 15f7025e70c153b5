"""A cap on one provider's share that no award could keep is caught before the tender goes out."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from carepool.procurement.award_rules import AwardRules, unmeetable


def test_a_ten_percent_cap_over_three_lots_of_two_providers_cannot_be_kept() -> None:
    rules = AwardRules(max_share=Decimal("0.1"), max_providers=2)
    assert unmeetable(rules, 3) == (
        "no award can keep the cap of 10% on any one provider's share: it needs at least 10 winners, but 3 lots of "
        "at most 2 providers each allow 6; raise the cap, allow more providers per lot, or add lots")
    assert unmeetable(rules, 5) is None  # ten places for ten winners


def test_the_smallest_part_of_a_lot_limits_the_winners_of_each() -> None:
    rules = AwardRules(max_share=Decimal("0.25"), max_providers=5, min_award_fraction=Decimal("0.4"))
    assert "1 lot of at most 2 providers each (no more than 2, each with at least 40% of it) allows 2" in (
        unmeetable(rules, 1) or "")
    assert unmeetable(AwardRules(max_providers=1), 1) is None  # no cap: nothing to keep
    assert unmeetable(AwardRules(max_share=Decimal(1)), 1) is None


@given(st.integers(1, 100), st.integers(1, 5), st.integers(1, 10))
def test_a_cap_is_unmeetable_exactly_when_the_winners_allowed_cannot_share_the_value(
        percent: int, per_lot: int, lots: int) -> None:
    rules = AwardRules(max_share=Decimal(percent) / 100, max_providers=per_lot)
    most_winners = lots * per_lot
    # with n winners the best is an even split, 1/n each: keepable when 1/n <= cap for n = most_winners
    assert (unmeetable(rules, lots) is None) == (Decimal(1) / most_winners <= rules.max_share)
