"""Every rule, exactly, on the plan as it is reported: quantities in hundredths of a unit, money in pence.

The solver works in floats and keeps each row only within its tolerances (HiGHS: 1e-7 on scaled rows, 1e-6
on integrality), and the plan is then reported with each quantity to 0.01 of a unit and each line's cost to
the penny. A provider exactly at ``max_share`` in the solver's plan can so end a hundredth of an hour over it
once rounded, a minimum award of 3.003 hours can be reported as 3.00, and a lot of 1.01 hours cannot be split
in two equal halves at all. ``ExactRules`` holds the rules in integers and checks a plan in hundredths
against every one of them, the share and SME rules in each money the plan is shown in (``MONIES``):

* the exact value, price x quantity, unrounded;
* each line's cost to the penny (half up, once per line), as the JSON reports it, with the package
  discounts taken from those costs;
* each line's value over 52 periods, rounded once per line: procurement's yearly contract lines for lots
  bought by the week (hours a week x price x 52).

``settle`` rounds a solver's plan to hundredths, keeping each lot's winners, every bid's bounds and each
lot's cover exact (largest remainder within the bounds), then, while a rule is broken, moves a hundredth
between two winners of a lot, each time the move that shrinks the breaches most. It returns None when that
cannot make the plan exact; the engine then solves the exact model (``exact_milp``).
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

import numpy as np

from carepool.award.instance import Instance

MONIES = (0, 1, 52)  # 0: the exact value; k: each line's value over k periods, rounded once to the penny
NAMES = {0: "exact value", 1: "costs", 52: "yearly values"}
REPAIR_STEPS = 400  # most hundredths the repair moves before giving up on a plan
MOVES_PER_STEP = 600  # most moves tried per step


def _hundredths(value: Decimal, rounding: str) -> int:
    return int((value * 100).to_integral_value(rounding=rounding))


class ExactRules:
    """The rules of ``inst`` in integers: quantities in hundredths, prices in pence, fractions exact."""

    def __init__(self, inst: Instance) -> None:
        problem = inst.problem
        self.inst = inst
        lots = {lot.id: lot for lot in problem.lots}
        providers = {p.id: p for p in problem.providers}
        fraction = problem.rules.min_award_fraction
        self.price = [b.price.pence for b in inst.bids]
        low, up = [], []
        for bid in inst.bids:
            lot = lots[bid.lot]
            limits = [lot.quantity] + [v for v in (bid.max_quantity, providers[bid.provider].capacity)
                                       if v is not None]
            up.append(_hundredths(min(limits), ROUND_FLOOR))
            low.append(max(1, _hundredths(fraction * lot.quantity, ROUND_CEILING)))  # a winner has some
        self.low = np.array(low, dtype=np.int64)
        self.up = np.array(up, dtype=np.int64)
        self.target = np.array([_hundredths(lot.quantity, ROUND_FLOOR) for lot in problem.lots], dtype=np.int64)
        self.max_providers = np.array([lot.max_providers for lot in problem.lots], dtype=np.int64)
        self.cap = np.array([np.iinfo(np.int64).max // 4 if p.capacity is None
                             else _hundredths(p.capacity, ROUND_FLOOR) for p in problem.providers], dtype=np.int64)
        rules = problem.rules
        self.share = Fraction(rules.max_share) if inst.max_share is not None else None
        self.sme_floor = Fraction(rules.min_sme_share) if inst.min_sme is not None else None
        self.packages = [(pkg.provider, pkg.bids.tolist(), Fraction(problem.packages[pkg.index].discount))
                         for pkg in inst.packages]
        # the exact value in units that keep package discounts whole: pence x hundredths x ``scale``
        self.scale = math.lcm(1, *(d.denominator for _, _, d in self.packages))
        self.package_of: dict[int, list[int]] = {}
        for k, (_, bids, _) in enumerate(self.packages):
            for b in bids:
                self.package_of.setdefault(b, []).append(k)

    @property
    def has_money_rules(self) -> bool:
        return self.share is not None or self.sme_floor is not None

    def line(self, b: int, q: int, money: int) -> int:
        """Bid ``b``'s line at ``q`` hundredths in ``money``: exact (scaled) or pence over ``money`` periods."""
        if money == 0:
            return self.price[b] * q * self.scale
        return (money * self.price[b] * q + 50) // 100

    def discount(self, k: int, on_set: int, money: int) -> int:
        share = self.packages[k][2]
        if money == 0:
            return int(share * on_set)  # whole: ``scale`` is a multiple of the discount's denominator
        return (2 * share.numerator * on_set + share.denominator) // (2 * share.denominator)  # half up

    def norm(self, money: int) -> int:
        """Units of ``money`` per penny of one period's value."""
        return 100 * self.scale if money == 0 else money

    def broken(self, q: np.ndarray) -> list[str]:
        """Every rule the plan of ``q`` hundredths per bid breaks, exactly (empty when it keeps them all)."""
        inst = self.inst
        problems = []
        won = q > 0
        if np.any(q < 0) or np.any(won & ((q < self.low) | (q > self.up))):
            problems.append("a quantity is outside its bid's limits (max_quantity, capacity, min_award_fraction)")
        cover = np.bincount(inst.b_lot, weights=q, minlength=inst.n_lots).astype(np.int64)
        if not np.array_equal(cover, self.target):
            problems.append("a lot is not covered exactly")
        if np.any(np.bincount(inst.b_lot, weights=won, minlength=inst.n_lots) > self.max_providers):
            problems.append("a lot has more winners than max_providers")
        if np.any(np.bincount(inst.b_prov, weights=q, minlength=inst.n_providers) > self.cap):
            problems.append("a provider is over its capacity")
        if self.has_money_rules:
            state = Values(self, q)
            for money in MONIES:
                over, under = state.breaches(money)
                if over:
                    problems.append(f"a provider is over max_share in {NAMES.get(money, money)}")
                if under:
                    problems.append(f"SMEs are under min_sme_share in {NAMES.get(money, money)}")
        return problems

    def winners(self, x: np.ndarray) -> np.ndarray:
        """The bids the plan ``x`` gives at least half a hundredth, at most as many per lot as may win."""
        inst = self.inst
        raw = np.clip(np.asarray(x, dtype=np.float64), 0.0, None) * 100.0
        won = np.zeros(len(raw), dtype=bool)
        for lot, cand in enumerate(inst.by_lot):
            cand = cand[raw[cand] >= 0.5]
            won[cand[np.argsort(-raw[cand], kind="stable")[: inst.lot_k[lot]]]] = True
        return won

    def objective(self, q: np.ndarray) -> float:
        """The plan's objective in pounds, as the solver's model counts it (package discounts in pence)."""
        value = float(np.dot(self.inst.coef, q)) / 100
        return value - sum(Values(self, q.copy()).taken[1]) / 100 if self.packages else value

    def round_plan(self, x: np.ndarray) -> np.ndarray | None:
        """``x`` in hundredths with the same winners, each within its bounds, each lot covered exactly
        (largest remainder); None when those winners cannot cover a lot in hundredths."""
        inst = self.inst
        raw = np.clip(np.asarray(x, dtype=np.float64), 0.0, None) * 100.0
        won = self.winners(x)
        q = np.zeros(len(raw), dtype=np.int64)
        for lot, cand in enumerate(inst.by_lot):
            cand = cand[won[cand]]
            lo, hi, want = self.low[cand], self.up[cand], raw[cand]
            target = int(self.target[lot])
            if int(lo.sum()) > target or int(hi.sum()) < target:
                return None
            got = np.clip(np.floor(want + 1e-6).astype(np.int64), lo, hi)
            left = target - int(got.sum())
            while left:
                step = 1 if left > 0 else -1
                room = got < hi if step > 0 else got > lo
                ahead = np.where(room, (want - got) * step, -np.inf)  # most owed first
                i = int(np.argmax(ahead))
                got[i] += step
                left -= step
            q[cand] = got
        return q

    def settle(self, x: np.ndarray) -> np.ndarray | None:
        """The plan ``x`` (floats) in hundredths keeping every rule exactly, or None."""
        q = self.round_plan(x)
        if q is None:
            return None
        if self.broken(q):
            q = self.repair(q)
        return q if q is not None and not self.broken(q) else None

    def repair(self, q: np.ndarray) -> np.ndarray | None:
        """Move hundredths between winners of a lot while capacity, share or SME rules are broken."""
        q = q.copy()
        state = Values(self, q)
        for _ in range(REPAIR_STEPS):
            merit = state.merit()
            if not any(merit):
                return q
            best: tuple[tuple[int, Fraction], int, int] | None = None
            watched = state.watched()
            for a, b in self._moves(state):
                state.move(a, b)
                trial = state.merit(watched)
                state.move(b, a)
                if trial < merit and (best is None or trial < best[0]):
                    best = (trial, a, b)
            if best is None:
                return None
            state.move(best[1], best[2])
        return None

    def _moves(self, state: Values) -> list[tuple[int, int]]:
        """Moves of a hundredth from ``a`` to ``b`` (winners of one lot) that keep every bound and capacity,
        first in the lots of providers over a rule, then in every lot (to raise the total)."""
        inst, q = self.inst, state.q
        first = {int(inst.b_lot[b]) for p in state.troubled() for b in inst.by_prov[p].tolist() if q[b] > 0}
        if any(state.excess(money)[1] for money in MONIES):  # SMEs short: lots with SME and other winners
            sme_won = inst.sme[inst.b_prov] & (q > 0)
            mixed = (np.bincount(inst.b_lot, weights=sme_won, minlength=inst.n_lots) > 0) & (
                np.bincount(inst.b_lot, weights=~sme_won & (q > 0), minlength=inst.n_lots) > 0)
            first |= set(np.flatnonzero(mixed).tolist())
        moves: list[tuple[int, int]] = []
        for lot in sorted(first) + sorted(set(range(inst.n_lots)) - first):
            won = [b for b in inst.by_lot[lot].tolist() if q[b] > 0]
            for a in won:
                if q[a] - 1 < self.low[a]:
                    continue
                for b in won:
                    pb = int(inst.b_prov[b])
                    if b != a and q[b] + 1 <= self.up[b] and state.used[pb] + 1 <= self.cap[pb]:
                        moves.append((a, b))
            if len(moves) >= MOVES_PER_STEP:
                break
        return moves


class Values:
    """A plan's hours per provider and its values in each money, kept up to date move by move."""

    def __init__(self, rules: ExactRules, q: np.ndarray) -> None:
        inst = rules.inst
        self.rules, self.q = rules, q
        self.used = np.bincount(inst.b_prov, weights=q, minlength=inst.n_providers).astype(np.int64)
        self.won = [all(q[b] > 0 for b in bids) for _, bids, _ in rules.packages]
        self.lines: dict[int, list[int]] = {}
        self.value: dict[int, np.ndarray] = {}  # per provider, after its package discounts (object: exact)
        self.taken: dict[int, list[int]] = {}  # discount per package
        self.total: dict[int, int] = {}
        self.smes: dict[int, int] = {}
        for money in MONIES:
            lines = [rules.line(b, int(v), money) for b, v in enumerate(q.tolist())]
            value = np.zeros(inst.n_providers, dtype=object)
            for b, amount in enumerate(lines):
                value[inst.b_prov[b]] += amount
            taken = [rules.discount(k, sum(lines[b] for b in bids), money) if self.won[k] else 0
                     for k, (_, bids, _) in enumerate(rules.packages)]
            for k, (provider, _, _) in enumerate(rules.packages):
                value[provider] -= taken[k]
            self.lines[money], self.value[money], self.taken[money] = lines, value, taken
            self.total[money] = int(value.sum())
            self.smes[money] = int(value[inst.sme].sum())

    def _add(self, money: int, provider: int, amount: int) -> None:
        self.value[money][provider] += amount
        self.total[money] += amount
        if self.rules.inst.sme[provider]:
            self.smes[money] += amount

    def move(self, a: int, b: int) -> None:
        """A hundredth from bid ``a`` to bid ``b`` (both keep winning, so packages won stay won)."""
        rules, inst = self.rules, self.rules.inst
        self.q[a] -= 1
        self.q[b] += 1
        self.used[inst.b_prov[a]] -= 1
        self.used[inst.b_prov[b]] += 1
        for money in MONIES:
            lines, taken = self.lines[money], self.taken[money]
            for bid in (a, b):
                new = rules.line(bid, int(self.q[bid]), money)
                self._add(money, int(inst.b_prov[bid]), new - lines[bid])
                lines[bid] = new
            for k in {k for bid in (a, b) for k in rules.package_of.get(bid, [])}:
                if self.won[k]:
                    provider, bids, _ = rules.packages[k]
                    new = rules.discount(k, sum(lines[bid] for bid in bids), money)
                    self._add(money, provider, taken[k] - new)
                    taken[k] = new

    def excess(self, money: int, who: np.ndarray | None = None) -> tuple[np.ndarray, int]:
        """den x value - num x total per provider (of ``who``; positive: over max_share), and the SMEs'
        shortfall num x total - den x SME value (0 when they hold enough)."""
        total = self.total[money]
        excess = np.zeros(0, dtype=object)
        share = self.rules.share
        if share is not None:
            part = self.value[money] if who is None else self.value[money][who]
            excess = part * share.denominator - share.numerator * total
        short = 0
        floor = self.rules.sme_floor
        if floor is not None:
            short = max(0, floor.numerator * total - floor.denominator * self.smes[money])
        return excess, short

    def breaches(self, money: int) -> tuple[bool, bool]:
        excess, short = self.excess(money)
        return bool(np.any(excess > 0)), short > 0

    def troubled(self) -> list[int]:
        """Providers over their capacity or max_share in some money."""
        found = set(np.flatnonzero(self.used > self.rules.cap).tolist())
        for money in MONIES:
            found.update(np.flatnonzero(self.excess(money)[0] > 0).tolist())
        return sorted(found)

    def watched(self) -> dict[int, np.ndarray] | None:
        """Per money, the providers one move could take over max_share (the others cannot reach it)."""
        share = self.rules.share
        if share is None:
            return None
        top = max(self.rules.price, default=0)
        result = {}
        for money in MONIES:
            line = top * self.rules.scale if money == 0 else (money * top + 99) // 100 + 1  # a hundredth's most
            reach = 4 * line * (share.denominator + share.numerator)  # two lines, a discount, the total
            result[money] = np.flatnonzero(self.excess(money)[0] > -reach)
        return result

    def merit(self, watched: dict[int, np.ndarray] | None = None) -> tuple[int, Fraction]:
        """(hundredths over capacity, breaches of max_share and min_sme_share in pence of one period)."""
        over_cap = int(np.maximum(self.used - self.rules.cap, 0).sum())
        breach = Fraction(0)
        share, floor = self.rules.share, self.rules.sme_floor
        for money in MONIES:
            excess, short = self.excess(money, None if watched is None else watched[money])
            over = sum(v for v in excess.tolist() if v > 0)
            if over:
                breach += Fraction(over, share.denominator * self.rules.norm(money))  # type: ignore[union-attr]
            if short:
                breach += Fraction(short, floor.denominator * self.rules.norm(money))  # type: ignore[union-attr]
        return over_cap, breach
