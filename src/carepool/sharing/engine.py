"""The least core: the split that keeps the most aggrieved group of members as close to content as possible.

A linear programme (HiGHS through highspy) finds the split in floating point; that is only a search. The split
returned is whole pence summing exactly to the total saving, and the ``epsilon`` reported is recomputed exactly
from it, so every number shown can be checked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from carepool.core.errors import CarepoolError
from carepool.core.highs import new_highs
from carepool.core.money import round_to_total
from carepool.sharing.model import Coalition, Game, objections

_PENCE_PER_POUND = 100  # the LP works in pounds: savings up to ~£50m a year stay near 5e7, well inside HiGHS's range


@dataclass(frozen=True)
class LeastCore:
    """A least-core split of the total saving and the largest amount, in pence, by which any group of members
    would still do better alone under it (0 or less: no group would; the core is not empty)."""

    epsilon: int  # pence: max over groups short of all members of v(S) - x(S) for this split; <= 0 means in the core
    split: dict[str, int]  # pence per member, summing exactly to the game's total

    @property
    def core_empty(self) -> bool:
        """Whether some group of members would still save more alone under this split."""
        return self.epsilon > 0


def _excess(game: Game, split: dict[str, int], groups: list[Coalition]) -> int:
    return max(game.values[group] - sum(split[p] for p in group) for group in groups)


def _solve(game: Game, groups: list[Coalition]) -> list[float]:
    """min eps s.t. x(S) + eps >= v(S) for every group S, x(N) = v(N); x and eps free, in pounds."""
    import highspy

    players = game.players
    n = len(players)
    column = {player: i for i, player in enumerate(players)}
    eps = n
    inf = highspy.kHighsInf
    h = new_highs()
    h.addVars(n + 1, np.full(n + 1, -inf), np.full(n + 1, inf))
    h.changeColsCost(1, np.array([eps], dtype=np.int32), np.array([1.0]))

    starts: list[int] = []
    index: list[int] = []
    lower: list[float] = []
    upper: list[float] = []
    for group in groups:
        starts.append(len(index))
        index.extend(sorted(column[p] for p in group))
        index.append(eps)
        lower.append(game.values[group] / _PENCE_PER_POUND)
        upper.append(inf)
    starts.append(len(index))
    index.extend(range(n))
    lower.append(game.total / _PENCE_PER_POUND)
    upper.append(game.total / _PENCE_PER_POUND)
    h.addRows(len(lower), np.array(lower), np.array(upper), len(index), np.array(starts, dtype=np.int32),
              np.array(index, dtype=np.int32), np.ones(len(index)))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise CarepoolError(f"the least-core calculation did not finish ({h.modelStatusToString(status)}); "
                            "check the savings of the groups for figures in the wrong units")
    solution: Any = h.getSolution()
    return [float(value) for value in solution.col_value[:n]]


def least_core(game: Game) -> LeastCore:
    """The least-core split: the smallest cut ``epsilon`` to every group's claim for which some split keeps
    every group in, and one such split in whole pence.

    ``epsilon`` is exact for the split shown (recomputed from its pence), so it can exceed the LP's optimum by a
    few pence of rounding (less than half the number of members); a split shown with ``epsilon`` of 1 or 2 may
    come from a core that is not empty but too thin to hold a whole-pence split near the LP's answer.
    Needs the saving of each member alone and of all members together; other groups are used when known.
    """
    players = game.players
    if len(players) == 1:
        return LeastCore(epsilon=0, split={players[0]: game.total})
    missing = [p for p in players if frozenset([p]) not in game.values]
    if missing:
        raise CarepoolError(f"the least core needs the saving of each member alone; missing for "
                            f"{', '.join(missing)}")
    grand = frozenset(players)
    groups = sorted((c for c in game.values if c != grand), key=lambda c: (len(c), sorted(c)))
    pounds = _solve(game, groups)
    found = [Fraction(value) * _PENCE_PER_POUND for value in pounds]  # exact values of the floats, in pence
    shift = (game.total - sum(found, Fraction(0))) / len(found)  # the solver's tolerance, spread evenly
    split = dict(zip(players, round_to_total([value + shift for value in found], game.total), strict=True))
    epsilon = _excess(game, split, groups)
    worst = objections(game, split)
    if (worst[0].shortfall if worst else min(epsilon, 0)) != epsilon:  # the two exact checks must agree
        raise CarepoolError(f"internal check failed: least-core epsilon {epsilon} disagrees with the objections")
    return LeastCore(epsilon=epsilon, split=split)
