"""The savings game and the pure rules for splitting a joint saving: proportional, Shapley, core check.

Every amount is whole pence (``int``); exact shares are ``Fraction`` and become pence through
``carepool.core.money.round_to_total``, so the parts of a split always add up to the saving exactly.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import factorial

from carepool.core.errors import CarepoolError
from carepool.core.money import allocate_int, round_to_total

Coalition = frozenset[str]


def _named(coalition: Iterable[str]) -> str:
    members = sorted(coalition)
    return "{" + ", ".join(members) + "}" if members else "{} (no members)"


def _members(players: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(players, str):
        raise CarepoolError(f"{what}: give the member codes as a list, not the single text {players!r}")
    listed = tuple(players)
    for player in listed:
        if not isinstance(player, str) or not player:
            raise CarepoolError(f"{what}: a member code must be non-empty text, not {player!r}")
    repeated = sorted({p for p in listed if listed.count(p) > 1})
    if repeated:
        raise CarepoolError(f"{what}: member {', '.join(repeated)} is listed more than once")
    return listed


@dataclass(frozen=True)
class Game:
    """A savings game: each coalition's yearly saving in pence if its members had tendered alone together."""

    players: tuple[str, ...]  # member codes, sorted (given in any order, kept sorted)
    values: Mapping[Coalition, int]  # pence; must hold all members together; no members is 0, need not be given

    def __post_init__(self) -> None:
        players = tuple(sorted(_members(self.players, "savings game")))
        if not players:
            raise CarepoolError("a savings game needs at least one member")
        known = frozenset(players)
        values: dict[Coalition, int] = {}
        for coalition, value in self.values.items():
            if isinstance(coalition, str):
                raise CarepoolError(f"a group of members must be a set of member codes, not the text {coalition!r}")
            members = frozenset(coalition)
            if members in values:
                raise CarepoolError(f"the saving of {_named(members)} is given more than once")
            if isinstance(value, bool) or not isinstance(value, int):
                raise CarepoolError(f"the saving of {_named(members)} must be whole pence (int), not {value!r}")
            strangers = members - known
            if strangers:
                raise CarepoolError(f"the saving of {_named(members)} names {_named(strangers)}, "
                                    f"who are not members of the game {_named(known)}")
            if not members:
                if value != 0:
                    raise CarepoolError(f"a group with no members saves nothing, not {value} pence")
                continue
            values[members] = value
        if known not in values:
            raise CarepoolError(f"the saving of all members together {_named(known)} is missing")
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "values", values)

    def value(self, coalition: Iterable[str]) -> int:
        """The saving of a group of members in pence (0 for no members)."""
        members = frozenset(coalition)
        if not members:
            return 0
        try:
            return self.values[members]
        except KeyError:
            raise CarepoolError(f"the saving of {_named(members)} is not known") from None

    @property
    def total(self) -> int:
        """The saving of all members together, in pence: the amount to be split."""
        return self.values[frozenset(self.players)]

    @property
    def complete(self) -> bool:
        """Whether the saving of every group of members is known (needed for the exact Shapley value)."""
        return len(self.values) == 2 ** len(self.players) - 1


def all_coalitions(players: Sequence[str]) -> list[Coalition]:
    """Every non-empty group of members, smallest groups first, then by sorted names; all members last."""
    ordered = sorted(_members(players, "coalitions"))
    return [frozenset(group) for size in range(1, len(ordered) + 1) for group in combinations(ordered, size)]


def _sort_key(coalition: Coalition) -> tuple[int, tuple[str, ...]]:
    return len(coalition), tuple(sorted(coalition))


def proportional(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split a saving in proportion to each member's weight (usually its spend), in pence summing exactly.

    If every weight is zero the saving is split equally.
    """
    names = list(weights)
    if not names:
        raise CarepoolError("cannot split a saving among no members")
    shares = list(weights.values())
    if all(not isinstance(share, bool) and share == 0 for share in shares):
        shares = [1] * len(names)  # nobody spent anything: nothing to be proportional to
    return dict(zip(names, allocate_int(total, shares), strict=True))


def shapley(game: Game) -> dict[str, Fraction]:
    """Each member's Shapley value: what it brings on average over every order in which members could
    have joined. Exact; needs the saving of every group of members."""
    if not game.complete:
        missing = [c for c in all_coalitions(game.players) if c not in game.values]
        raise CarepoolError(f"the exact Shapley value needs the saving of every group of members; "
                            f"{len(missing)} missing, first {_named(missing[0])}")
    n = len(game.players)
    bit = {player: 1 << i for i, player in enumerate(game.players)}
    by_mask = [0] * (1 << n)
    for coalition, value in game.values.items():
        by_mask[sum(bit[p] for p in coalition)] = value
    # |S|! (n - |S| - 1)! / n!, kept as a whole-number numerator over the common denominator n!
    weight = [factorial(size) * factorial(n - size - 1) for size in range(n)]
    sums = dict.fromkeys(game.players, 0)
    for mask in range(1 << n):
        size = mask.bit_count()
        if size == n:
            continue
        for player, b in bit.items():
            if not mask & b:
                sums[player] += weight[size] * (by_mask[mask | b] - by_mask[mask])
    return {player: Fraction(total, factorial(n)) for player, total in sums.items()}


def sample_orders(players: Sequence[str], count: int, seed: int) -> list[tuple[str, ...]]:
    """``count`` random orders in which the members could have joined, the same for the same seed
    (members are sorted first, so the order they are listed in does not matter)."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CarepoolError(f"the number of orders to sample must be a whole number of at least 0, not {count!r}")
    ordered = sorted(_members(players, "sampled orders"))
    rng = random.Random(seed)
    orders: list[tuple[str, ...]] = []
    for _ in range(count):
        order = list(ordered)
        rng.shuffle(order)
        orders.append(tuple(order))
    return orders


def _check_orders(orders: Sequence[tuple[str, ...]], players: Iterable[str] | None) -> frozenset[str]:
    expected = frozenset(players) if players is not None else frozenset(orders[0]) if orders else frozenset()
    for order in orders:
        listed = _members(order, "order of joining")
        if frozenset(listed) != expected:
            raise CarepoolError(f"the order {', '.join(listed)} does not list each of the members "
                                f"{_named(expected)} exactly once")
    return expected


def coalitions_for_orders(orders: Sequence[tuple[str, ...]]) -> list[Coalition]:
    """The groups whose saving the sampled Shapley value needs: every first part of every order
    (each once; all members included), smallest groups first, then by sorted names."""
    _check_orders(orders, None)
    prefixes = {frozenset(order[:k]) for order in orders for k in range(1, len(order) + 1)}
    return sorted(prefixes, key=_sort_key)


def shapley_from_orders(game: Game, orders: Sequence[tuple[str, ...]]) -> dict[str, Fraction]:
    """The sampled Shapley value: what each member brings on average over the given orders of joining.

    With every possible order it equals ``shapley``; the game needs only the groups from
    ``coalitions_for_orders``. The shares sum exactly to the total saving.
    """
    if not orders:
        raise CarepoolError("the sampled Shapley value needs at least one order of joining")
    _check_orders(orders, game.players)
    sums = dict.fromkeys(game.players, 0)
    for order in orders:
        before = 0
        for k, player in enumerate(order, start=1):
            after = game.value(order[:k])
            sums[player] += after - before
            before = after
    return {player: Fraction(total, len(orders)) for player, total in sums.items()}


def in_pence(exact: Mapping[str, Fraction], total: int) -> dict[str, int]:
    """Exact shares in whole pence summing exactly to ``total`` (largest remainder, ties to the member listed
    first); each share moves by less than a penny. The exact shares must already sum to ``total``."""
    exact_sum = sum(exact.values(), Fraction(0))
    if exact_sum != total:
        raise CarepoolError(f"the shares sum to {exact_sum} pence, not to the total {total} pence; "
                            "they cannot be turned into whole pence for it")
    return dict(zip(exact, round_to_total(list(exact.values()), total), strict=True))


@dataclass(frozen=True)
class Objection:
    """A group of members that would save more alone than a split gives it."""

    coalition: Coalition
    alone: int  # v(S): what the group would save by tendering alone, pence
    given: int  # x(S): what the split gives the group, pence

    @property
    def shortfall(self) -> int:
        """How many pence the group loses by staying in (always more than 0)."""
        return self.alone - self.given


def _check_split(game: Game, split: Mapping[str, int]) -> None:
    if frozenset(split) != frozenset(game.players) or len(split) != len(game.players):
        raise CarepoolError(f"the split names {_named(split)}, but the members are {_named(game.players)}")
    for player, amount in split.items():
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise CarepoolError(f"the share of {player} must be whole pence (int), not {amount!r}")


def objections(game: Game, split: Mapping[str, int]) -> list[Objection]:
    """Every group (short of all members, among those whose saving is known) that would save more alone than
    the split gives it: largest shortfall first, then smaller groups, then by sorted names."""
    _check_split(game, split)
    grand = frozenset(game.players)
    found = []
    for coalition, alone in game.values.items():
        if coalition == grand:
            continue
        given = sum(split[p] for p in coalition)
        if alone > given:
            found.append(Objection(coalition, alone, given))
    return sorted(found, key=lambda o: (-o.shortfall, *_sort_key(o.coalition)))


def in_core(game: Game, split: Mapping[str, int]) -> bool:
    """Whether the split is in the core: it shares out exactly the total saving and no group of members
    would save more by tendering alone."""
    _check_split(game, split)
    given = sum(split.values())
    if given != game.total:
        raise CarepoolError(f"the split shares out {given} pence, but the total saving is {game.total} pence")
    return not objections(game, split)
