"""What a group of members would have saved tendering alone: the same bids, the same rules, only its own shares
of the lots. Pure (no storage); the award runs go to an executor, as the design asks of coalition values."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement import engine
from carepool.procurement.award_rules import AwardRules, as_percent
from carepool.procurement.model import LotDesign, share_annual

GRAND = "award"  # the status of the whole consortium's value: the award as it stands, not a run of ours


@dataclass(frozen=True)
class CoalitionJob:
    members: tuple[str, ...]
    problem: dict[str, Any]  # the award engine's input for the members' own shares of the lots
    baseline: int  # pence a year: the members' spend today on those shares
    time_limit: float


def _pct(fraction: str) -> str:
    try:
        return as_percent(Decimal(fraction))
    except InvalidOperation:
        return fraction


def _providers(count: str) -> str:
    return "one provider" if count == "1" else f"{count} providers"


_SME = "cannot meet the {} floor for small and medium providers on its own"
_CAP = "cannot meet the rule that no provider may have more than {} of the value on its own"
# The award engine's reasons (award/diagnose.py), which name the rules by their keys for the award CLI, as a finance
# director reads them: each in the engine's words, then in plain words starting "cannot", to follow a group's name
_REASONS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"min_sme_share (\S+) cannot be met together with the other rules \(SMEs can reach at most (\S+) of",
     lambda m: _SME.format(_pct(m[1])) + f": its small providers could take at most {m[2]} of the value"),
    (r"min_sme_share (\S+) cannot be met together with the other rules",
     lambda m: _SME.format(_pct(m[1])) + " under the other rules"),
    (r"min_sme_share (\S+) cannot be met: no SME has an eligible bid",
     lambda m: _SME.format(_pct(m[1])) + ": no small or medium provider made a bid it could award"),
    (r"max_share (\S+) cannot be met together with the other rules",
     lambda m: _CAP.format(_pct(m[1])) + ": too few providers could take the rest of the value"),
    (r"max_share (\S+) needs at least (\d+) winning providers but only (\d+)",
     lambda m: _CAP.format(_pct(m[1])) + f": that needs at least {m[2]} providers to win, and only {m[3]} made "
                                         "bids it could award"),
    (r"min_award_fraction (\S+) cannot be met together with the other rules",
     lambda m: f"cannot give each provider at least {_pct(m[1])} of a lot on its own: awards that large would "
               "leave some lot uncovered"),
    (r"^lot (\S+): no bids$", lambda m: f"cannot award lot {m[1]} on its own: nobody bid on it"),
    (r"^lot (\S+): no eligible bids \(\d+ below min_quality (\S+)\)",
     lambda m: f"cannot award lot {m[1]} on its own: no bid on it reaches the quality floor of {m[2]}"),
    (r"^lot (\S+): no eligible bid can take the minimum award of (\S+) (\w+) \(min_award_fraction (\S+)\)",
     lambda m: f"cannot award lot {m[1]} on its own: no bid can take the smallest part a provider may be given "
               f"({_pct(m[4])} of the lot, {m[2]} {m[3]}s a week)"),
    (r"^lot (\S+): min_award_fraction (\S+) allows at most (\d+) winners? \(max_providers \d+\), and they can "
     r"offer at most (\S+) of (\S+) (\w+)",
     lambda m: f"cannot cover lot {m[1]} on its own: with each winner given at least {_pct(m[2])} of it, at most "
               f"{_providers(m[3])} may win it, and they offer at most {m[4]} of the {m[5]} {m[6]}s a week it needs"),
    (r"^lot (\S+): the (\d+) largest eligible bids \(max_providers \d+\) offer at most (\S+) of (\S+) (\w+)",
     lambda m: f"cannot cover lot {m[1]} on its own: the {_providers(m[2])} a lot may have "
               f"{'offers' if m[2] == '1' else 'offer'} at most {m[3]} of the {m[4]} {m[5]}s a week it needs"),
    (r"^lot (\S+): .*offers? at most (\S+) of (\S+) (\w+)",
     lambda m: f"cannot cover lot {m[1]} on its own: the bids it could award offer at most {m[2]} of the {m[3]} "
               f"{m[4]}s a week it needs"),
    (r"capacity totals too small: providers can supply at most (\S+) .* the lots need (\S+)",
     lambda m: f"cannot cover its lots on its own: the providers can supply at most {m[1]} of the {m[2]} hours a "
               "week they need"),
    (r"provider capacity cannot be met together with the other rules",
     lambda m: "cannot keep within the providers' capacity on its own under the other rules"),
    (r"max_providers cannot be met together with the other rules",
     lambda m: "cannot keep to the most providers a lot may have on its own under the other rules"),
    (r"no award plan meets all the rules together",
     lambda m: "cannot meet all the tender's rules together on its own, though it can meet each of them"),
)
CANNOT_ALONE = "cannot meet the tender's rules on its own"


def reason_in_words(note: str) -> str:
    """Why a group could not award on its own, in plain words starting "cannot" (the engine's ``note`` names the
    rules by their keys, "min_sme_share 0.25", as the award CLI's contract has it); a general reason for any other."""
    for pattern, words in _REASONS:
        if found := re.search(pattern, note):
            return words(found)
    return CANNOT_ALONE


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
    note: str = ""  # why it could not award, in the award engine's words (``reason_in_words`` says it plainly)

    @property
    def how_found(self) -> str:
        """How the saving was found, in words (the page and the workbook say the same)."""
        if self.status == "optimal":
            return "award proven optimal"
        if self.status == "feasible":
            within = f" (within {self.gap * 100:.2f}%)" if self.gap else ""
            return f"not proven optimal in the time allowed{within}"
        if self.status == "infeasible":
            return f"{reason_in_words(self.note)}; counted at today's prices"
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


def exit_with_parent() -> None:
    """A pool worker's start: end when the process that started it has gone (a job's process killed, say), rather
    than wait for work that will never come."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


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
    pool = executor or ProcessPoolExecutor(max_workers=min(count, len(tasks)), initializer=exit_with_parent,
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
