"""The neighbourhood search running alongside the MILP solver, on the second core, trading plans with it.

HiGHS's branch and cut keeps about one core busy; on a 2-core machine the other sat idle
while the MILP ran. Here a worker process runs the neighbourhood search (``improve``) for the
whole of the solve: each better plan it finds that meets every rule is handed to HiGHS while
it runs (its user-solution callback, ``solvers.solve_highs(exchange=...)``), and each better
plan HiGHS finds is handed back, so the search goes on from whichever is cheaper. Measured on
the 1,000-lot benchmark (``bench/award.py``): HiGHS's root heuristics find a good plan after
about 9 s and the search takes £1,000–2,000 a week off it; where HiGHS finds no better plan
than its start (seed 1) the search alone more than halves the gap.

The worker is a separate process (``spawn``: safe under a threaded web server) that rebuilds
the instance and model from the problem, so nothing but plans crosses between the two. It is
stopped when the solve ends, whatever happens.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
STOP_SECONDS = 5.0  # how long the worker is given to stop before it is killed


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class SearchLink:
    """The worker's side: plans from the solver in, better plans out (the ``Exchange`` ``improve`` uses)."""

    inst: Instance
    full: SparseModel
    inbox: Any  # multiprocessing queue: the solver's plans
    outbox: Any  # multiprocessing queue: (objective, plan) meeting every rule
    best: float = np.inf

    def _acceptable(self, col: np.ndarray) -> np.ndarray | None:
        col = with_totals(self.inst, self.full, col)
        value = float(np.dot(self.full.cost, col))
        if value < self.best - 1e-9 * abs(value) and self.full.violation(col) <= FEASIBLE:
            return col
        return None

    def take(self, *, wait: float = 0.0) -> np.ndarray | None:
        """The cheapest plan the solver has sent since the last call that beats the best so far and meets
        every rule (the solver's model may leave share rules out), or None; waits up to ``wait`` seconds."""
        found = None
        with contextlib.suppress(queue.Empty):
            while True:
                col = self.inbox.get(timeout=wait) if wait > 0 and found is None else self.inbox.get_nowait()
                better = self._acceptable(np.asarray(col, dtype=np.float64))
                if better is not None:
                    found, self.best = better, float(np.dot(self.full.cost, better))
        return found

    def give(self, col: np.ndarray, value: float) -> None:
        if value < self.best - 1e-9 * abs(value):
            self.best = value
            self.outbox.put((value, col))


def search_worker(problem: AwardProblem, use_packages: bool, share: np.ndarray, sme: bool, start: np.ndarray,
                  seconds: float, inbox: Any, outbox: Any) -> None:
    """The worker process: neighbourhood search from ``start`` for ``seconds``, trading plans with the solver."""
    deadline = time.perf_counter() + seconds
    inst = build_instance(problem, use_packages=use_packages)
    full = build_model(inst)
    lazy = LazyRules(share.copy(), sme)
    model = lazy.model(inst)
    link = SearchLink(inst, full, inbox, outbox, best=float(np.dot(full.cost, start)))
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


class PlanExchange:
    """The solver's side: the search's plans to hand to the solver, and the solver's plans to send back."""

    def __init__(self, inbox: Any, outbox: Any) -> None:
        self._to_search = inbox
        self._from_search = outbox
        self.best: tuple[float, np.ndarray] | None = None  # the cheapest plan the search has sent
        self.handed: list[float] = []  # objectives of the plans handed to the solver, for the record

    def _drain(self) -> None:
        with contextlib.suppress(queue.Empty, OSError, ValueError):
            while True:
                value, col = self._from_search.get_nowait()
                if self.best is None or value < self.best[0]:
                    self.best = (value, col)

    def better_than(self, objective: float) -> np.ndarray | None:
        """The search's best plan if it beats ``objective`` (the solver's best), to hand to the solver."""
        self._drain()
        if self.best is None or not self.best[0] < objective - 1e-9 * abs(objective):
            return None
        self.handed.append(self.best[0])
        return self.best[1]

    def send(self, col: np.ndarray) -> None:
        """A better plan of the solver's, for the search to go on from."""
        with contextlib.suppress(OSError, ValueError):
            self._to_search.put(np.array(col, dtype=np.float64, copy=True))  # pickled later, by a feeder thread

    def final(self) -> np.ndarray | None:
        self._drain()
        return None if self.best is None else self.best[1]


@contextlib.contextmanager
def search_alongside(problem: AwardProblem, *, use_packages: bool, lazy: LazyRules | None, start: np.ndarray,
                     seconds: float) -> Iterator[PlanExchange | None]:
    """Run the neighbourhood search in a worker process for ``seconds``; stop it on leaving the block.

    Yields None when no process can be started (a process limit, say): the solver then runs alone."""
    context = multiprocessing.get_context("spawn")
    inbox, outbox = context.Queue(), context.Queue()
    inbox.cancel_join_thread()  # plans not yet read must not hold up the end of the solve
    n_providers = len(problem.providers)
    share = lazy.share if lazy is not None else np.ones(n_providers, dtype=bool)
    sme = lazy.sme if lazy is not None else True
    worker = context.Process(target=search_worker, daemon=True,
                             args=(problem, use_packages, share, sme, start, seconds, inbox, outbox))
    try:
        worker.start()
    except OSError:
        inbox.close()
        outbox.close()
        yield None
        return
    exchange = PlanExchange(inbox, outbox)
    try:
        yield exchange
    finally:
        exchange.final()
        worker.terminate()
        worker.join(STOP_SECONDS)
        if worker.is_alive():
            worker.kill()
            worker.join()
        for channel in (inbox, outbox):
            channel.close()
