"""Properties of every split, on random savings games of one to five members (savings up to ±£10m)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from carepool.sharing.engine import least_core
from carepool.sharing.model import (
    Coalition,
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

MEMBERS = ("BCC", "ICB", "LCC", "MCC", "NCC")  # four councils and the NHS body, sorted
pence = st.integers(min_value=-10**9, max_value=10**9)
members = st.integers(min_value=1, max_value=5).map(lambda n: MEMBERS[:n])
# LP rounding moves a group's share by less than min(|S|, n - |S|) pence: at most 2 with five members
ROUNDING = len(MEMBERS) // 2


@st.composite
def games(draw: st.DrawFn, players: st.SearchStrategy[tuple[str, ...]] = members) -> Game:
    """A complete game: a random saving (or extra cost) for every group of members."""
    chosen = draw(players)
    groups = all_coalitions(chosen)
    return Game(chosen, dict(zip(groups, draw(st.lists(pence, min_size=len(groups), max_size=len(groups))),
                                 strict=True)))


@st.composite
def games_with_a_core(draw: st.DrawFn, *, least_margin: int) -> Game:
    """A game built round a whole-pence split that every group accepts: each group saves that split's share for
    it less a margin of at least ``least_margin`` pence (sometimes exactly that, so the core can be thin)."""
    chosen = draw(members)
    split = {p: draw(st.integers(min_value=-10**8, max_value=10**8)) for p in chosen}
    margin = st.one_of(st.just(least_margin), st.integers(min_value=least_margin, max_value=10**6))
    values = {g: sum(split[p] for p in g) - draw(margin) for g in all_coalitions(chosen)}
    values[frozenset(chosen)] = sum(split.values())
    return Game(chosen, values)


def worst_excess(game: Game, split: dict[str, int]) -> int:
    """The most any group short of all members would gain by leaving (counted afresh, not by the engine)."""
    proper: list[Coalition] = all_coalitions(game.players)[:-1]
    return max(game.value(g) - sum(split[p] for p in g) for g in proper)


@given(games())
def test_shapley_in_pence_adds_up_and_moves_each_share_by_under_a_penny(game: Game) -> None:
    exact = shapley(game)
    assert sum(exact.values()) == game.total
    split = in_pence(exact, game.total)
    assert list(split) == list(game.players)
    assert sum(split.values()) == game.total
    assert all(abs(split[p] - exact[p]) < 1 for p in game.players)


@given(games(st.integers(min_value=2, max_value=5).map(lambda n: MEMBERS[:n])), st.data())
def test_swapping_two_members_names_swaps_their_shapley_values(game: Game, data: st.DataObject) -> None:
    first, second = data.draw(st.lists(st.sampled_from(game.players), min_size=2, max_size=2, unique=True))
    rename = {first: second, second: first}
    swapped = Game(game.players, {frozenset(rename.get(p, p) for p in g): v for g, v in game.values.items()})
    before, after = shapley(game), shapley(swapped)
    assert after[first] == before[second] and after[second] == before[first]
    assert all(after[p] == before[p] for p in game.players if p not in rename)


@given(games(st.integers(min_value=2, max_value=5).map(lambda n: MEMBERS[:n])))
def test_members_who_bring_the_same_to_every_group_get_the_same(game: Game) -> None:
    first, second = game.players[:2]
    values = dict(game.values)
    for group in all_coalitions(game.players):  # whatever the first brings to a group, the second brings too
        if second in group and first not in group:
            values[group] = values[group - {second} | {first}]
    same = shapley(Game(game.players, values))
    assert same[first] == same[second]


@given(games(), st.integers(min_value=1, max_value=40), st.integers())
def test_sampled_shapley_adds_up_to_the_total_saving(game: Game, count: int, seed: int) -> None:
    orders = sample_orders(game.players, count, seed)
    needed = Game(game.players, {g: game.value(g) for g in coalitions_for_orders(orders)})
    sampled = shapley_from_orders(needed, orders)
    assert sum(sampled.values()) == game.total
    assert sum(in_pence(sampled, game.total).values()) == game.total


@given(pence, st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=7))
def test_proportional_adds_up_and_each_share_is_within_a_penny(total: int, spend: list[int]) -> None:
    weights = dict(zip((*MEMBERS, "OCC", "PCC"), spend, strict=False))
    split = proportional(total, weights)
    assert sum(split.values()) == total
    if any(spend):
        assert all(abs(split[p] - Fraction(total * w, sum(spend))) < 1 for p, w in weights.items())


@settings(max_examples=150, deadline=None)
@given(games())
def test_the_least_core_split_adds_up_and_does_at_least_as_well_as_shapley(game: Game) -> None:
    result = least_core(game)
    assert list(result.split) == list(game.players)
    assert sum(result.split.values()) == game.total
    if len(game.players) == 1:
        assert result.epsilon == 0 and not result.core_empty
        return
    assert result.epsilon == worst_excess(game, result.split)
    shapley_split = in_pence(shapley(game), game.total)
    assert result.epsilon <= worst_excess(game, shapley_split) + ROUNDING
    # the engine's verdict is the objections' verdict: the largest shortfall is exactly epsilon
    found = objections(game, result.split)
    assert result.core_empty == bool(found)
    if result.core_empty:
        assert found[0].shortfall == result.epsilon
    else:
        assert in_core(game, result.split)


@settings(max_examples=150, deadline=None)
@given(games_with_a_core(least_margin=0))
def test_when_some_split_keeps_every_group_in_the_least_core_is_short_by_pennies_at_most(game: Game) -> None:
    result = least_core(game)
    assert result.epsilon <= ROUNDING
    assert all(objection.shortfall <= ROUNDING for objection in objections(game, result.split))


@settings(max_examples=150, deadline=None)
@given(games_with_a_core(least_margin=ROUNDING))
def test_when_every_group_has_room_to_spare_the_least_core_split_is_in_the_core(game: Game) -> None:
    result = least_core(game)
    assert not result.core_empty
    assert result.epsilon <= 0
    assert in_core(game, result.split)
