"""What a group of members would have saved tendering alone: the same bids, the same rules, only its own shares
of the lots. Pure (no storage); the award runs go to an executor, as the design asks of coalition values."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement import engine
from carepool.procurement.award_rules import AwardRules
from carepool.procurement.model import LotDesign, share_annual

GRAND = "award"  # the status of the whole consortium's value: the award as it stands, not a run of ours


@dataclass(frozen=True)
class CoalitionJob:
    members: tuple[str, ...]
    problem: dict[str, Any]  # the award engine's input for the members' own shares of the lots
    baseline: int  # pence a year: the members' spend today on those shares
    time_limit: float


@dataclass(frozen=True)
class CoalitionValue:
    """A group's yearly saving tendering alone (pence, never below 0: a group whose award would cost more than
    today keeps today's prices), with how it was found."""

    members: tuple[str, ...]
    saving: int
    baseline: int
    cost: int | None  # the yearly cost of its award; None when it could not award under the rules
    status: str  # optimal | feasible (not proven, see gap) | infeasible | dearer | award (the whole consortium)
    gap: float | None = None
    note: str = ""  # why it could not award, in the award engine's words

    @property
    def how_found(self) -> str:
        """How the saving was found, in words (the page and the workbook say the same)."""
        if self.status == "optimal":
            return "award proven optimal"
        if self.status == "feasible":
            within = f" (within {self.gap * 100:.2f}%)" if self.gap else ""
            return f"not proven optimal in the time allowed{within}"
        if self.status == "infeasible":
            return "could not award under the rules: today's prices" + (f" ({self.note})" if self.note else "")
        if self.status == "dearer":
            return "its award would cost more than today: today's prices"
        return "the award as it stands"

    def as_json(self) -> dict[str, Any]:
        return {"members": list(self.members), "saving": self.saving, "baseline": self.baseline, "cost": self.cost,
                "status": self.status, "gap": self.gap, "note": self.note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CoalitionValue:
        return cls(tuple(data["members"]), data["saving"], data["baseline"], data["cost"], data["status"],
                   data.get("gap"), data.get("note", ""))


def coalition_lots(lots: Iterable[LotDesign], members: Iterable[str]) -> list[LotDesign]:
    """The lots as the members alone would have tendered them: their own shares, lots without any dropped."""
    chosen = frozenset(members)
    result = []
    for lot in lots:
        shares = tuple(s for s in lot.shares if s.member in chosen)
        if shares:
            result.append(LotDesign(lot.code, lot.name, lot.service, lot.localities, shares))
    return result


def job(ref: str, members: Sequence[str], lots: Sequence[LotDesign], bids: Sequence[engine.OpenedBid],
        bidders: Mapping[str, engine.Bidder], rules: AwardRules, *, time_limit: float) -> CoalitionJob:
    own = coalition_lots(lots, members)
    if not own:
        raise CarepoolError(f"members {', '.join(members)} hold no share of an awarded lot")
    codes = {lot.code for lot in own}
    baseline = Money.sum(share_annual(s) for lot in own for s in lot.shares).pence
    problem = engine.problem_input(f"{ref} ({'+'.join(members)})", own, [b for b in bids if b.lot in codes],
                                   bidders, rules)
    return CoalitionJob(tuple(members), problem, baseline, time_limit)


def value_of(task: CoalitionJob) -> CoalitionValue:
    """Run one group's award (in a worker process): its saving, or 0 where it could not award or would pay more."""
    try:
        result = engine.solve(task.problem, time_limit=task.time_limit)
    except CarepoolError as error:
        if error.kind != "infeasible":
            raise
        return CoalitionValue(task.members, 0, task.baseline, None, "infeasible", note=error.message)
    cost = Money.sum(engine.line_yearly(a.price, a.quantity) for a in result.awards).pence
    saving = task.baseline - cost
    if saving < 0:
        return CoalitionValue(task.members, 0, task.baseline, cost, "dearer", result.gap)
    return CoalitionValue(task.members, saving, task.baseline, cost, result.status.value, result.gap)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def run(tasks: Sequence[CoalitionJob], *, workers: int | None = None, executor: Executor | None = None,
        progress: Callable[[int, int], None] | None = None) -> list[CoalitionValue]:
    """Every group's value, in the order given; ``progress(done, total)`` after each. Local processes by default
    (started with spawn: safe under a threaded web server), or the ``concurrent.futures.Executor`` given."""
    results: dict[int, CoalitionValue] = {}
    count = workers or default_workers()
    if executor is None and (count <= 1 or len(tasks) <= 1):
        for index, task in enumerate(tasks):
            results[index] = value_of(task)
            if progress:
                progress(index + 1, len(tasks))
        return [results[i] for i in range(len(tasks))]
    pool = executor or ProcessPoolExecutor(max_workers=min(count, len(tasks)),
                                           mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(value_of, task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                progress(len(results), len(tasks))
    finally:
        if executor is None:
            pool.shutdown(cancel_futures=True)
    return [results[i] for i in range(len(tasks))]
