"""The neighbourhood search running alongside the MILP solver, on the second core, trading plans with it.

HiGHS's branch and cut keeps about one core busy; on a 2-core machine the other sat idle
while the MILP ran. Here a worker process runs the neighbourhood search (``improve``) for the
whole of the solve: each better plan it finds that meets every rule is handed to HiGHS while
it runs (its user-solution callback, ``solvers.solve_highs(exchange=...)``), and each better
plan HiGHS finds is handed back, so the search goes on from whichever is cheaper. Measured on
the 1,000-lot benchmark (``bench/award.py``): HiGHS's root heuristics find a good plan after
about 9 s and the search takes £1,000–2,000 a week off it; where HiGHS finds no better plan
than its start (seed 1) the search alone more than halves the gap.

The worker is a separate process (``spawn``: safe under a threaded web server; a script that calls
the engine needs the usual ``if __name__ == "__main__":`` guard) that rebuilds the instance and model
from the problem. Plans cross in two shared-memory mailboxes, each holding the best plan one side has
for the other: no pipe can fill up, and nothing is left behind when the worker is stopped at the end of
the solve. Starting it takes about a second (a fresh interpreter), so it is started from a thread while
HiGHS sets up, and not at all when less than ``MIN_SECONDS`` remain.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle
from typing import Any

import numpy as np

from carepool.award.improve import improve_lazily
from carepool.award.instance import Instance, build_instance
from carepool.award.lazy import LazyRules
from carepool.award.milp import SparseModel, build_model, with_totals
from carepool.award.model import AwardProblem

FEASIBLE = 1e-6  # most a plan may break a row by and still be taken
NEIGHBOURHOOD_SIZES = (250, 400, 150)  # bids per neighbourhood, in turn, so the groups' borders move
IDLE_ROUNDS = len(NEIGHBOURHOOD_SIZES)  # rounds without gain before the search waits for the solver's next plan
MIN_SECONDS = 8.0  # below this the worker's start (about a second) costs more than the search can give
STOP_SECONDS = 5.0  # how long the worker is given to stop before it is killed
POLL_SECONDS = 0.1  # how often a waiting worker looks for the solver's next plan


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _better(value: float, than: float) -> bool:
    return value < than - 1e-9 * abs(value) if math.isfinite(than) else math.isfinite(value)


class Mailbox:
    """The latest plan one side has for the other, in shared memory; reading says whether there is one not yet
    seen. No pipe, so a plan nobody reads blocks nothing. With ``keep_best``, only a cheaper plan replaces the
    one there (the search's plans all meet every rule; the solver's may break a rule its model leaves out, so
    its mailbox keeps the latest and the search judges)."""

    def __init__(self, context: Any, n_cols: int, *, keep_best: bool = True) -> None:
        self._keep_best = keep_best
        self._lock = context.Lock()
        self._plan = context.Array("d", n_cols, lock=False)
        self._objective = context.Value("d", math.inf, lock=False)
        self._version = context.Value("q", 0, lock=False)

    def post(self, col: np.ndarray, objective: float) -> bool:
        with self._lock:
            if self._keep_best and not _better(objective, self._objective.value):
                return False
            np.frombuffer(self._plan, dtype=np.float64)[:] = col
            self._objective.value = objective
            self._version.value += 1
            return True

    def read(self, seen: int) -> tuple[int, float, np.ndarray] | None:
        """(version, objective, plan) when a plan newer than version ``seen`` is there, else None."""
        with self._lock:
            version = int(self._version.value)
            if version == seen:
                return None
            return version, float(self._objective.value), np.frombuffer(self._plan, dtype=np.float64).copy()


@dataclass
class SearchLink:
    """The worker's side: the solver's plans in, better plans out (the ``Exchange`` ``improve`` uses)."""

    inst: Instance
    full: SparseModel
    from_solver: Mailbox
    to_solver: Mailbox
    best: float = math.inf
    seen: int = 0

    def take(self, *, wait: float = 0.0) -> np.ndarray | None:
        """The solver's latest plan if it beats the best so far and meets every rule (the solver's model may
        leave share rules out), or None; waits up to ``wait`` seconds for one."""
        until = time.perf_counter() + wait
        while True:
            news = self.from_solver.read(self.seen)
            if news is not None:
                self.seen = news[0]
                col = with_totals(self.inst, self.full, news[2])
                value = float(np.dot(self.full.cost, col))
                if _better(value, self.best) and self.full.violation(col) <= FEASIBLE:
                    self.best = value
                    return col
            if time.perf_counter() >= until:
                return None
            time.sleep(POLL_SECONDS)

    def give(self, col: np.ndarray, value: float) -> None:
        if _better(value, self.best):
            self.best = value
            self.to_solver.post(col, value)


def search_worker(problem: AwardProblem, use_packages: bool, share: np.ndarray, sme: bool, start: np.ndarray,
                  seconds: float, from_solver: Mailbox, to_solver: Mailbox) -> None:
    """The worker process: neighbourhood search from ``start`` for ``seconds``, trading plans with the solver."""
    deadline = time.perf_counter() + seconds
    inst = build_instance(problem, use_packages=use_packages)
    full = build_model(inst)
    lazy = LazyRules(share.copy(), sme)
    model = lazy.model(inst)
    link = SearchLink(inst, full, from_solver, to_solver, best=float(np.dot(full.cost, start)))
    col, idle = start, 0
    for size in cycle(NEIGHBOURHOOD_SIZES):
        if deadline - time.perf_counter() < 1.0:
            return
        before = link.best
        col, model = improve_lazily(inst, full, model, lazy, col, deadline=deadline, target_bids=size,
                                    exchange=link)
        idle = idle + 1 if link.best >= before else 0
        if idle >= IDLE_ROUNDS:  # nothing left nearby: wait for the solver to move somewhere new
            other = link.take(wait=max(0.0, deadline - time.perf_counter() - 1.0))
            if other is None:
                return
            col, idle = other, 0


@dataclass
class PlanExchange:
    """The solver's side: the search's plans to hand to the solver, and the solver's plans to send back."""

    cost: np.ndarray
    to_search: Mailbox
    from_search: Mailbox
    best: tuple[float, np.ndarray] | None = None  # the cheapest plan the search has sent
    handed: list[float] = field(default_factory=list)  # objectives of the plans handed to the solver
    seen: int = 0

    def _collect(self) -> None:
        news = self.from_search.read(self.seen)
        if news is not None:
            self.seen = news[0]
            if self.best is None or news[1] < self.best[0]:
                self.best = (news[1], news[2])

    def better_than(self, objective: float) -> np.ndarray | None:
        """The search's best plan if it beats ``objective`` (the solver's best; infinite before it has one)."""
        self._collect()
        if self.best is None or not _better(self.best[0], objective):
            return None
        self.handed.append(self.best[0])
        return self.best[1]

    def send(self, col: np.ndarray) -> None:
        """A better plan of the solver's, for the search to go on from."""
        self.to_search.post(col, float(np.dot(self.cost, col)))

    def final(self) -> np.ndarray | None:
        self._collect()
        return None if self.best is None else self.best[1]


@contextlib.contextmanager
def search_alongside(problem: AwardProblem, *, use_packages: bool, lazy: LazyRules | None, start: np.ndarray,
                     cost: np.ndarray, seconds: float) -> Iterator[PlanExchange]:
    """Run the neighbourhood search in a worker process for ``seconds``; stop it on leaving the block.

    The worker is started from a thread, so the solve starts at once; if no process can be started (a
    process limit, say), the exchange simply never has a plan and the solver runs alone."""
    context = multiprocessing.get_context("spawn")
    to_search, from_search = Mailbox(context, len(start), keep_best=False), Mailbox(context, len(start))
    share = lazy.share if lazy is not None else np.ones(len(problem.providers), dtype=bool)
    sme = lazy.sme if lazy is not None else True
    worker = context.Process(target=search_worker, daemon=True,
                             args=(problem, use_packages, share, sme, start, seconds, to_search, from_search))
    starting = threading.Thread(target=_start, args=(worker,), daemon=True)
    starting.start()
    exchange = PlanExchange(cost, to_search, from_search)
    try:
        yield exchange
    finally:
        exchange.final()
        starting.join()
        if worker.pid is not None:
            worker.terminate()
            worker.join(STOP_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()


def _start(worker: Any) -> None:
    with contextlib.suppress(OSError):  # no second process to be had: the solver runs alone
        worker.start()
