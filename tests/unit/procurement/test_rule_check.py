"""An award changed by hand is checked against every published rule, each breach named with who and how much."""

from __future__ import annotations

import random
from decimal import Decimal

from carepool.core.money import Money
from carepool.procurement import engine
from carepool.procurement.award_rules import AwardRules
from carepool.procurement.engine import OpenedBid
from carepool.procurement.model import LotDesign, MemberShare
from carepool.procurement.rule_check import Awarded, rules_broken

NAMES = {"A": "Acorn", "B": "Birch", "C": "Crown"}


def _lot(code: str, hours: int) -> LotDesign:
    return LotDesign(code, code, "home-care", (code,), (MemberShare("E09000005", Decimal(hours), Money.parse("25")),))


def _bid(n: int, provider: str, lot: str, price: str, quality: int, capacity: int | None = None) -> OpenedBid:
    return OpenedBid(n, f"B-{n}", provider, lot, Money.parse(price), Decimal(quality), None,
                     None if capacity is None else Decimal(capacity))


LOTS = [_lot("L1", 1000), _lot("L2", 500)]
BIDS = [_bid(1, "A", "L1", "20", 80, capacity=600), _bid(2, "B", "L1", "21", 55), _bid(3, "C", "L1", "19", 70),
        _bid(4, "C", "L2", "19", 70), _bid(5, "A", "L2", "22", 80, capacity=700)]
RULES = AwardRules(max_share=Decimal("0.6"), min_sme_share=Decimal("0.4"), min_quality=Decimal(60),
                   min_award_fraction=Decimal("0.125"), max_providers=2)


def _check(*plan: tuple[str, str, int]) -> list[str]:
    return rules_broken([Awarded(p, lot, Decimal(q)) for p, lot, q in plan], LOTS, BIDS, RULES, NAMES, {"A", "B"})


def test_an_award_that_keeps_every_rule_breaks_none() -> None:
    # Acorn 600 hours (its capacity); value: Acorn 400x20 + 200x22 = 12,400, Crown 900x19 = 17,100 of 29,500:
    # Crown holds 57.97% (cap 60%), SMEs 42.03% (floor 40%)
    assert _check(("A", "L1", 400), ("C", "L1", 600), ("A", "L2", 200), ("C", "L2", 300)) == []


def test_each_broken_rule_is_named_with_who_and_how_much() -> None:
    assert _check(("A", "L1", 900), ("B", "L1", 50), ("C", "L1", 50), ("C", "L2", 500)) == [
        "the quality floor: Birch wins L1 with a quality score of 55, below 60",
        "the minimum part of a lot: Birch has 50.00 hours a week of L1, less than 12.5% of it (125.00)",
        "the minimum part of a lot: Crown has 50.00 hours a week of L1, less than 12.5% of it (125.00)",
        "the most providers per lot: L1 is split between 3, more than 2",
        "Acorn's capacity: 900.00 hours a week against the 600.00 it declared",
        "the cap on any one provider's share: Acorn holds 61.0% of the value, above 60% (£15,600.00 a year over it)",
    ]  # Acorn 18,000, Birch 1,050, Crown 10,450 of 29,500: SMEs hold 64.6% (floor 40%)


def test_shares_are_judged_exactly_on_value() -> None:
    assert _check(("C", "L1", 1000), ("C", "L2", 500)) == [
        "the cap on any one provider's share: Crown holds 100.0% of the value, above 60% (£592,800.00 a year over it)",
        "the floor for small and medium providers: they hold 0.0% of the value, below 40% (£592,800.00 a year short "
        "of it)"]


def test_a_share_over_its_cap_by_a_penny_a_year_is_over() -> None:
    """Judged on the yearly values the award shows: 1.01 hours at £10.00 split 0.51/0.50 holds 50.5% (£2.60 a
    year over a 50% cap), which no allowance for rounding may hide."""
    lot = LotDesign("L9", "L9", "home-care", ("L9",), (MemberShare("E09000005", Decimal("1.01"), Money.parse("25")),))
    bids = [_bid(1, "A", "L9", "10", 80), _bid(2, "B", "L9", "10", 80)]
    rules = AwardRules(max_share=Decimal("0.5"), max_providers=2)
    assert rules_broken([Awarded("A", "L9", Decimal("0.51")), Awarded("B", "L9", Decimal("0.50"))], [lot], bids,
                        rules, NAMES, set()) == [
        "the cap on any one provider's share: Acorn holds 50.5% of the value, above 50% (£2.60 a year over it)"]


def test_the_optimisers_own_award_breaks_no_rule_after_rounding_to_hundredths() -> None:
    """The optimiser keeps every share exactly, on the yearly values; its untouched award must not be flagged."""
    rng = random.Random(1)
    rules = AwardRules.parse({"max_share": "0.4", "min_sme_share": "0.3", "max_providers": 2})
    for _ in range(12):
        lots = [LotDesign(f"L{i}", f"L{i}", "home-care", (f"X{i}",),
                          (MemberShare("E09000005", Decimal(rng.randint(200, 1500)), Money.parse("24.00"), 10000),))
                for i in range(3)]
        bids = [OpenedBid(4 * i + j, f"B-{4 * i + j}", f"P{j}", f"L{i}", Money(rng.randint(1900, 2500)),
                          Decimal(75), None, None) for i in range(3) for j in range(4)]
        bidders = {f"P{j}": engine.Bidder(f"P{j}", f"P{j}", j < 2) for j in range(4)}
        awarded = engine.compare("T", lots, bids, bidders, rules, time_limit=5).awarded
        plan = [Awarded(a.provider, a.lot, a.quantity) for a in awarded.awards]
        assert rules_broken(plan, lots, bids, rules, {}, {"P0", "P1"}) == [], plan


def test_a_share_over_its_cap_by_pennies_does_not_read_as_the_cap() -> None:
    """120 hours at £25.01 against 80 at £25.00 is 60.0096% of the value: it reads 60.01%, not 60.0%."""
    lot = LotDesign("L9", "L9", "home-care", ("L9",), (MemberShare("E09000005", Decimal("200"), Money.parse("25")),))
    bids = [_bid(1, "A", "L9", "25.01", 80), _bid(2, "B", "L9", "25.00", 80)]
    broken = rules_broken([Awarded("A", "L9", Decimal("120")), Awarded("B", "L9", Decimal("80"))], [lot], bids,
                          AwardRules(max_share=Decimal("0.6"), max_providers=2), NAMES, set())
    assert broken == ["the cap on any one provider's share: Acorn holds 60.01% of the value, above 60% "
                      "(£24.96 a year over it)"]
