"""The least core and the nucleolus: the split that keeps the most aggrieved group of members as close to content
as possible, then the next most aggrieved, and so on, which makes it one split and not a choice among many.

Linear programmes (HiGHS through highspy) find the split in floating point; that is only a search. The split
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

_PENCE_PER_POUND = 100  # the LPs work in pounds: savings up to ~£50m a year stay near 5e7, well inside HiGHS's range
_TIGHT = 1e-6  # a group's dual price above this binds it in every optimal split (the duals of a round sum to 1)
_SNAP = 10_000  # the LP's pence are read to 1/10,000 of a penny, so its last-digit noise cannot pick who rounds up


@dataclass(frozen=True)
class LeastCore:
    """The nucleolus split of the total saving, and the largest amount, in pence, by which any group of members
    would still do better alone under it (0 or less: no group would; the core is not empty). The nucleolus is in
    the least core, so no split in whole pence leaves its worst-off group better off, rounding apart."""

    epsilon: int  # pence: max over groups short of all members of v(S) - x(S) for this split; <= 0 means in the core
    split: dict[str, int]  # pence per member, summing exactly to the game's total

    @property
    def core_empty(self) -> bool:
        """Whether some group of members would still save more alone under this split."""
        return self.epsilon > 0


def _excess(game: Game, split: dict[str, int], groups: list[Coalition]) -> int:
    return max(game.values[group] - sum(split[p] for p in group) for group in groups)


@dataclass
class _Settled:
    """Groups whose share is settled, x(S) = v(S) - t, as independent rows (the whole consortium first)."""

    rows: list[np.ndarray]
    targets: list[float]  # pounds

    def unsettled(self, candidates: np.ndarray) -> np.ndarray:
        """Which of the candidate rows the settled rows do not yet fix (they lie outside their span)."""
        q, _ = np.linalg.qr(np.array(self.rows).T)
        return np.linalg.norm(candidates - (candidates @ q) @ q.T, axis=1) > 1e-9

    def settle(self, row: np.ndarray, target: float) -> None:
        if self.unsettled(row[None, :])[0]:
            self.rows.append(row)
            self.targets.append(target)


def _round(settled: _Settled, free: list[int], rows: np.ndarray, values: np.ndarray
           ) -> tuple[float, list[float], np.ndarray]:
    """min t s.t. x(S) + t >= v(S) for every free group, x(S) = target for every settled one; x and t free."""
    import highspy

    n = rows.shape[1]
    inf = highspy.kHighsInf
    h = new_highs()
    h.addVars(n + 1, np.full(n + 1, -inf), np.full(n + 1, inf))
    h.changeColsCost(1, np.array([n], dtype=np.int32), np.array([1.0]))
    starts: list[int] = []
    index: list[int] = []
    lower: list[float] = []
    upper: list[float] = []
    for row, target in zip(settled.rows, settled.targets, strict=True):
        starts.append(len(index))
        index.extend(int(i) for i in np.flatnonzero(row))
        lower.append(target)
        upper.append(target)
    for g in free:
        starts.append(len(index))
        index.extend([*(int(i) for i in np.flatnonzero(rows[g])), n])
        lower.append(float(values[g]))
        upper.append(inf)
    h.addRows(len(lower), np.array(lower), np.array(upper), len(index), np.array(starts, dtype=np.int32),
              np.array(index, dtype=np.int32), np.ones(len(index)))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise CarepoolError(f"the least-core calculation did not finish ({h.modelStatusToString(status)}); "
                            "check the savings of the groups for figures in the wrong units")
    solution: Any = h.getSolution()
    duals = np.abs(np.array(solution.row_dual[len(settled.rows):]))
    return float(solution.col_value[n]), [float(v) for v in solution.col_value[:n]], duals


def _nucleolus(game: Game, groups: list[Coalition]) -> list[float]:
    """The nucleolus in pounds, by rounds of LPs: each round lowers the largest excess among the groups not yet
    settled; the groups it binds in every optimal split (those with a positive dual price) are settled at that
    excess, and the next round works on the rest, until the settled groups fix every member's share."""
    players = game.players
    column = {player: i for i, player in enumerate(players)}
    rows = np.zeros((len(groups), len(players)))
    for g, group in enumerate(groups):
        rows[g, [column[p] for p in group]] = 1.0
    values = np.array([game.values[group] / _PENCE_PER_POUND for group in groups])
    settled = _Settled([np.ones(len(players))], [game.total / _PENCE_PER_POUND])
    free = list(range(len(groups)))
    while True:  # each round settles at least one more group, so there are fewer rounds than members
        free = [g for g, open_ in zip(free, settled.unsettled(rows[free]), strict=True) if open_]
        t, split, duals = _round(settled, free, rows, values)
        binding = [g for g, dual in zip(free, duals, strict=True) if dual > _TIGHT]
        known = len(settled.rows)
        for g in binding:
            settled.settle(rows[g], float(values[g]) - t)
        if len(settled.rows) == len(players):
            return split
        if len(settled.rows) == known:
            raise CarepoolError("internal check failed: a round of the nucleolus settled no group")
        free = [g for g in free if g not in binding]


def least_core(game: Game) -> LeastCore:
    """The nucleolus split, which lies in the least core: the smallest cut ``epsilon`` to every group's claim for
    which some split keeps every group in, and among such splits the one that then does best by the next most
    aggrieved group, and so on (Schmeidler's nucleolus: one split, whatever the order members are listed in,
    except that a penny left over by rounding goes to the member listed first).

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
    pounds = _nucleolus(game, groups)
    found = [Fraction(round(value * _PENCE_PER_POUND * _SNAP), _SNAP) for value in pounds]
    shift = (game.total - sum(found, Fraction(0))) / len(found)  # the solver's tolerance, spread evenly
    split = dict(zip(players, round_to_total([value + shift for value in found], game.total), strict=True))
    epsilon = _excess(game, split, groups)
    worst = objections(game, split)
    if (worst[0].shortfall if worst else min(epsilon, 0)) != epsilon:  # the two exact checks must agree
        raise CarepoolError(f"internal check failed: least-core epsilon {epsilon} disagrees with the objections")
    return LeastCore(epsilon=epsilon, split=split)
