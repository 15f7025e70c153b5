"""The least-core split is the nucleolus: one split, checked against the Talmud's estate division.

Aumann and Maschler (1985) showed that the nucleolus of a bankruptcy game, where an estate E cannot meet the
claims on it and a group of claimants can count on what the others' claims leave, v(S) = max(0, E - claims
outside S), is the Talmud's rule for dividing an estate. The rule has a closed form, so it checks the LPs.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from carepool.sharing.engine import least_core
from carepool.sharing.model import Game, all_coalitions

CLAIMANTS = ("A", "B", "C", "D", "E")


def bankruptcy(estate: int, claims: dict[str, int]) -> Game:
    total = sum(claims.values())
    groups = all_coalitions(list(claims))
    return Game(tuple(claims), {g: max(0, estate - (total - sum(claims[p] for p in g))) for g in groups})


def equal_awards(amount: Fraction, caps: list[Fraction]) -> list[Fraction]:
    """Share an amount equally, no one above their cap (constrained equal awards)."""
    given: dict[int, Fraction] = {}
    left = amount
    waiting = sorted(range(len(caps)), key=lambda i: caps[i])
    while waiting:
        level = left / len(waiting)
        smallest = waiting[0]
        if caps[smallest] > level:
            given.update({i: level for i in waiting})
            break
        given[smallest] = caps[smallest]
        left -= caps[smallest]
        waiting.pop(0)
    return [given[i] for i in range(len(caps))]


def talmud(estate: int, claims: list[int]) -> list[Fraction]:
    """Up to half the claims, equal awards on half-claims; beyond it, equal losses on half-claims."""
    halves = [Fraction(c, 2) for c in claims]
    if estate <= sum(halves):
        return equal_awards(Fraction(estate), halves)
    losses = equal_awards(Fraction(sum(claims) - estate), halves)
    return [c - loss for c, loss in zip(claims, losses, strict=True)]


def test_the_three_estates_of_the_talmud_are_divided_as_the_mishnah_says() -> None:
    # claims of £100, £200 and £300 on an estate of £100, £200 or £300 (Ketubot 93a)
    claims = {"A": 10_000, "B": 20_000, "C": 30_000}
    assert least_core(bankruptcy(10_000, claims)).split == {"A": 3_334, "B": 3_333, "C": 3_333}
    assert least_core(bankruptcy(20_000, claims)).split == {"A": 5_000, "B": 7_500, "C": 7_500}
    assert least_core(bankruptcy(30_000, claims)).split == {"A": 5_000, "B": 10_000, "C": 15_000}


def test_the_same_split_whatever_order_the_members_are_named_in() -> None:
    # a least-core LP alone may answer with any of many splits here; the nucleolus is one
    claims = {"A": 40_000, "B": 10_000, "C": 25_000, "D": 25_000}
    renamed = {"Z": 40_000, "Y": 10_000, "X": 25_000, "W": 25_000}
    first = least_core(bankruptcy(50_000, claims)).split
    second = least_core(bankruptcy(50_000, renamed)).split
    assert [first[p] for p in "ABCD"] == [second[p] for p in "ZYXW"]
    assert first == {"A": 20_000, "B": 5_000, "C": 12_500, "D": 12_500}


@settings(max_examples=120, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10**7), min_size=2, max_size=5), st.data())
def test_every_bankruptcy_game_is_split_by_the_talmud_rule_to_the_penny(claims: list[int], data: st.DataObject
                                                                          ) -> None:
    estate = data.draw(st.integers(min_value=0, max_value=sum(claims)), label="estate")
    named = dict(zip(CLAIMANTS, claims, strict=False))
    split = least_core(bankruptcy(estate, named)).split
    expected = talmud(estate, claims)
    assert sum(split.values()) == estate
    assert all(abs(split[p] - share) < 1 for p, share in zip(named, expected, strict=True)), (split, expected)
