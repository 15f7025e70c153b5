"""Splitting a joint saving: hand-worked games a finance director could check on paper.

Savings are in pence; a group is written "A+B" in the builder.
"""

from fractions import Fraction
from itertools import permutations

import pytest

from carepool.core.errors import CarepoolError
from carepool.sharing.engine import least_core
from carepool.sharing.model import (
    Game,
    all_coalitions,
    coalitions_for_orders,
    in_core,
    in_pence,
    objections,
    proportional,
    sample_orders,
    shapley,
    shapley_from_orders,
)


def game(savings: dict[str, int]) -> Game:
    """{"A": 100, "A+B": 250} -> a Game whose members are everyone named; the last group listed is all of them."""
    values = {frozenset(group.split("+")): pence for group, pence in savings.items()}
    return Game(tuple(sorted(set().union(*values))), values)


# Three councils. A alone would save £1,000, B £500, C nothing; together they save £3,000.
COUNCILS = game({"A": 100_000, "B": 50_000, "C": 0, "A+B": 200_000, "A+C": 150_000, "B+C": 80_000,
                 "A+B+C": 300_000})
# Shapley by hand, A's arrival in each of the 6 orders:
#   ABC 100,000  ACB 100,000  BAC 200,000-50,000=150,000  BCA 300,000-80,000=220,000
#   CAB 150,000-0=150,000  CBA 220,000                                  -> 940,000 / 6 = 470,000/3
# B: ABC 100,000  ACB 150,000  BAC 50,000  BCA 50,000  CAB 150,000  CBA 80,000 -> 580,000 / 6 = 290,000/3
# C: ABC 100,000  ACB 50,000  BAC 100,000  BCA 30,000  CAB 0  CBA 0            -> 280,000 / 6 = 140,000/3
# In pence: 156,666.67 + 96,666.67 + 46,666.67; floors leave 2p over, remainders tie, so A and B get them.
COUNCILS_SHAPLEY = {"A": Fraction(470_000, 3), "B": Fraction(290_000, 3), "C": Fraction(140_000, 3)}

# The glove game: L holds the only left glove; a left with a right glove is worth £1.
GLOVES = game({"L": 0, "R1": 0, "R2": 0, "L+R1": 100, "L+R2": 100, "R1+R2": 0, "L+R1+R2": 100})

# Every pair would save £1 alone, all three only £1.20: no split keeps all three pairs content.
PAIRS = game({"A": 0, "B": 0, "C": 0, "A+B": 100, "A+C": 100, "B+C": 100, "A+B+C": 120})


def test_the_three_councils_shapley_matches_the_hand_working() -> None:
    assert shapley(COUNCILS) == COUNCILS_SHAPLEY
    assert in_pence(shapley(COUNCILS), COUNCILS.total) == {"A": 156_667, "B": 96_667, "C": 46_666}


def test_the_three_councils_shapley_split_is_in_the_core() -> None:
    split = in_pence(shapley(COUNCILS), COUNCILS.total)
    assert objections(COUNCILS, split) == []
    assert in_core(COUNCILS, split)


def test_the_glove_game_values_the_scarce_left_glove_at_two_thirds() -> None:
    assert shapley(GLOVES) == {"L": Fraction(200, 3), "R1": Fraction(50, 3), "R2": Fraction(50, 3)}


def test_the_glove_game_core_gives_everything_to_the_left_glove() -> None:
    result = least_core(GLOVES)
    assert result.split == {"L": 100, "R1": 0, "R2": 0}
    assert result.epsilon == 0
    assert not result.core_empty
    assert in_core(GLOVES, result.split)
    # Shapley in pence is 67 / 17 / 16: each left-right pair would rather go alone
    shapley_split = in_pence(shapley(GLOVES), GLOVES.total)
    assert shapley_split == {"L": 67, "R1": 17, "R2": 16}
    assert [(sorted(o.coalition), o.shortfall) for o in objections(GLOVES, shapley_split)] == [
        (["L", "R2"], 17), (["L", "R1"], 16)]


def test_members_in_the_same_position_get_the_same_up_to_a_penny() -> None:
    same = game({"A": 10, "B": 10, "C": 10, "A+B": 50, "A+C": 50, "B+C": 50, "A+B+C": 100})
    assert set(shapley(same).values()) == {Fraction(100, 3)}
    assert in_pence(shapley(same), 100) == {"A": 34, "B": 33, "C": 33}


def test_a_member_who_adds_nothing_to_any_group_gets_nothing() -> None:
    # D joins the three councils but changes no group's saving
    with_d = dict(COUNCILS.values)
    with_d.update({group | {"D"}: value for group, value in COUNCILS.values.items()})
    with_d[frozenset("D")] = 0
    null = Game(("A", "B", "C", "D"), with_d)
    assert shapley(null) == {**COUNCILS_SHAPLEY, "D": 0}


def test_shapley_of_two_savings_added_is_the_two_shapleys_added() -> None:
    home_care = COUNCILS
    equipment = game({"A": -20_000, "B": 5_000, "C": 7, "A+B": 1_000, "A+C": 90_000, "B+C": -3,
                      "A+B+C": 123_457})
    both = Game(("A", "B", "C"), {g: home_care.value(g) + equipment.value(g) for g in all_coalitions(["A", "B", "C"])})
    apart_h, apart_e = shapley(home_care), shapley(equipment)
    assert shapley(both) == {p: apart_h[p] + apart_e[p] for p in "ABC"}


def test_when_savings_grow_faster_than_spend_shapley_is_in_the_core() -> None:
    spend = {"A": 1, "B": 2, "C": 3, "D": 4}  # £m a year
    groups = all_coalitions(list(spend))
    convex = Game(tuple(spend), {g: 1_000 * sum(spend[p] for p in g) ** 2 for g in groups})
    for s in groups:  # convex: v(S u T) + v(S n T) >= v(S) + v(T)
        for t in groups:
            assert convex.value(s | t) + convex.value(s & t) >= convex.value(s) + convex.value(t)
    exact = shapley(convex)
    assert all(sum(exact[p] for p in g) >= convex.value(g) for g in groups)
    assert in_core(convex, in_pence(exact, convex.total))


def test_when_every_pair_would_do_better_alone_the_core_is_empty() -> None:
    assert shapley(PAIRS) == {"A": 40, "B": 40, "C": 40}
    split = in_pence(shapley(PAIRS), PAIRS.total)
    assert not in_core(PAIRS, split)
    assert [(sorted(o.coalition), o.alone, o.given, o.shortfall) for o in objections(PAIRS, split)] == [
        (["A", "B"], 100, 80, 20), (["A", "C"], 100, 80, 20), (["B", "C"], 100, 80, 20)]
    result = least_core(PAIRS)
    assert result.epsilon == 20
    assert result.core_empty
    assert result.split == {"A": 40, "B": 40, "C": 40}


def test_objections_come_largest_shortfall_first_then_smaller_groups_then_by_name() -> None:
    saving = game({"A": 10, "B": 10, "C": 30, "D": 0, "A+B": 30, "A+C": 30, "B+C": 40, "A+B+C": 40,
                   "A+B+C+D": 100})
    found = objections(saving, {"A": 0, "B": 0, "C": 0, "D": 100})
    assert [("+".join(sorted(o.coalition)), o.shortfall) for o in found] == [
        ("B+C", 40), ("A+B+C", 40), ("C", 30), ("A+B", 30), ("A+C", 30), ("A", 10), ("B", 10)]


def test_a_member_can_be_worse_off_in_the_group_and_the_split_still_adds_up() -> None:
    # B's own tender would cost £5 more than today, and B drags every group it joins down
    costly = game({"A": 1_000, "B": -500, "A+B": 400})
    # A: first (1,000) or after B (400 - -500 = 900) -> 950; B: first (-500) or after A (400 - 1,000) -> -550
    assert shapley(costly) == {"A": 950, "B": -550}
    assert sum(in_pence(shapley(costly), 400).values()) == 400


def test_one_member_alone_keeps_the_whole_saving() -> None:
    alone = game({"A": 12_345})
    assert shapley(alone) == {"A": 12_345}
    assert objections(alone, {"A": 12_345}) == []
    result = least_core(alone)
    assert (result.epsilon, result.split, result.core_empty) == (0, {"A": 12_345}, False)


def test_proportional_to_spend_adds_up_exactly() -> None:
    # spend £3m / £2m / £1m; a saving of £1.00 is 50p / 33 1/3p / 16 2/3p -> the spare penny goes to C
    assert proportional(100, {"A": 3, "B": 2, "C": 1}) == {"A": 50, "B": 33, "C": 17}
    assert proportional(-100, {"A": 3, "B": 2, "C": 1}) == {"A": -50, "B": -33, "C": -17}


def test_proportional_with_no_spend_at_all_is_an_equal_split() -> None:
    assert proportional(100, {"A": 0, "B": 0, "C": 0}) == {"A": 34, "B": 33, "C": 33}
    with pytest.raises(CarepoolError, match="no members"):
        proportional(100, {})


def test_groups_are_listed_smallest_first_then_by_name_with_everyone_last() -> None:
    assert ["+".join(sorted(g)) for g in all_coalitions(["C", "A", "B"])] == [
        "A", "B", "C", "A+B", "A+C", "B+C", "A+B+C"]


def test_sampled_shapley_over_every_order_is_the_exact_shapley() -> None:
    every_order = list(permutations(COUNCILS.players))
    assert shapley_from_orders(COUNCILS, every_order) == COUNCILS_SHAPLEY


def test_sampled_orders_are_the_same_for_the_same_seed() -> None:
    first = sample_orders(["A", "B", "C", "D", "E"], 20, seed=2024)
    assert first == sample_orders(["E", "D", "C", "B", "A"], 20, seed=2024)
    assert first != sample_orders(["A", "B", "C", "D", "E"], 20, seed=2025)
    assert all(sorted(order) == ["A", "B", "C", "D", "E"] for order in first)


def test_sampled_shapley_needs_only_the_groups_on_the_way_and_adds_up() -> None:
    orders = [("B", "A", "C"), ("A", "B", "C"), ("B", "A", "C")]
    needed = coalitions_for_orders(orders)
    assert ["+".join(sorted(g)) for g in needed] == ["A", "B", "A+B", "A+B+C"]
    partial = Game(("A", "B", "C"), {g: COUNCILS.value(g) for g in needed})
    assert not partial.complete
    # B first twice (B 50,000, A 150,000, C 100,000), A first once (A 100,000, B 100,000, C 100,000)
    sampled = shapley_from_orders(partial, orders)
    assert sampled == {"A": Fraction(400_000, 3), "B": Fraction(200_000, 3), "C": 100_000}
    assert sum(in_pence(sampled, partial.total).values()) == partial.total


def test_a_missing_group_saving_is_named() -> None:
    partial = game({"A": 1, "B": 2, "A+B+C": 10})
    with pytest.raises(CarepoolError, match=r"\{A, C\} is not known"):
        partial.value(["C", "A"])
    with pytest.raises(CarepoolError, match="every group of members"):
        shapley(partial)


def test_a_game_must_know_the_saving_of_everyone_together() -> None:
    with pytest.raises(CarepoolError, match=r"all members together \{A, B\} is missing"):
        Game(("A", "B"), {frozenset("A"): 1, frozenset("B"): 2})
    with pytest.raises(CarepoolError, match="not members"):
        Game(("A", "B"), {frozenset("AB"): 3, frozenset("AZ"): 2})


def test_in_core_refuses_a_split_that_does_not_share_out_the_saving() -> None:
    with pytest.raises(CarepoolError, match="shares out 119 pence"):
        in_core(PAIRS, {"A": 40, "B": 40, "C": 39})
    with pytest.raises(CarepoolError, match="the members are"):
        in_core(PAIRS, {"A": 60, "B": 60})


def test_in_pence_refuses_shares_that_do_not_add_up() -> None:
    with pytest.raises(CarepoolError, match="not to the total 100 pence"):
        in_pence({"A": Fraction(50), "B": Fraction(49)}, 100)


def test_knowing_only_each_member_alone_the_least_core_shares_the_extra_equally() -> None:
    # A alone £0.30, B alone £0.50, together £1.00: each keeps its own and gets half the extra £0.20
    result = least_core(game({"A": 30, "B": 50, "A+B": 100}))
    assert result.split == {"A": 40, "B": 60}
    assert result.epsilon == -10
    assert not result.core_empty


def test_the_least_core_needs_each_member_alone() -> None:
    with pytest.raises(CarepoolError, match="missing for B"):
        least_core(game({"A": 1, "A+B": 10}))
