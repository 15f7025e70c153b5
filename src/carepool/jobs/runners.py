"""Where a job's work runs: in a process of its own, so an optimiser's crash or its hold on the interpreter never
reaches the web server, and a job outlives a server restarted under it; or, where the database lives in this
process's memory, in a thread.

Both run at most ``slots`` jobs at once; the others wait their turn, but never so long that a job still waiting
would read as stalled (then it runs beside them).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from carepool.core.clock import Clock, system_clock
from carepool.db.engine import Database
from carepool.jobs.model import STALLED_AFTER
from carepool.jobs.service import INTERNAL, STOPPED, JobCall, Runner, end_if_running

log = logging.getLogger(__name__)
SLOTS = 2  # jobs at once: this machine's cores, which a job's optimiser keeps busy


class _Turns:
    def __init__(self, slots: int) -> None:
        self._slots = threading.BoundedSemaphore(slots)

    def in_thread(self, run: Callable[[], None], name: str) -> None:
        """Run ``run`` in a daemon thread once a slot is free (or it has waited half the stall time)."""

        def in_turn() -> None:
            turn = self._slots.acquire(timeout=STALLED_AFTER.total_seconds() / 2)
            try:
                run()
            finally:
                if turn:
                    self._slots.release()

        threading.Thread(target=in_turn, name=name, daemon=True).start()


class ThreadRunner:
    """Runs each job in a thread of this process (a job still running when the process ends is left marked
    running, and reads as stalled later)."""

    def __init__(self, slots: int = SLOTS) -> None:
        self._turns = _Turns(slots)

    def submit(self, database: Database, call: JobCall) -> None:
        self._turns.in_thread(lambda: call.run(database), name=f"carepool-job-{call.job_id}")


class ProcessRunner:
    """Runs each job in a fresh process (spawned, so nothing of the web server's threads is copied into it), which
    opens the database by its URL and keeps its clock. A thread here waits for it: a process that ends without
    saying how its job ended (killed, or crashed inside the solver) fails the job, and the exit is logged. Jobs
    still waiting for their turn when this process exits say they stopped."""

    def __init__(self, slots: int = SLOTS) -> None:
        self._turns = _Turns(slots)
        self._spawn = multiprocessing.get_context("spawn")
        self._waiting: dict[int, tuple[Database, JobCall]] = {}
        self._lock = threading.Lock()
        atexit.register(self._stop_waiting)

    def submit(self, database: Database, call: JobCall) -> None:
        sent = pickle.dumps(call)  # work that cannot be sent to a process is refused here, not in its thread
        ahead = None if database.clock is system_clock else database.clock() - system_clock()
        with self._lock:
            self._waiting[call.job_id] = (database, call)

        def watch() -> None:
            with self._lock:
                self._waiting.pop(call.job_id, None)
            try:
                process = self._spawn.Process(target=run_in_own_process, args=(database.url, ahead, sent),
                                              name=f"carepool-job-{call.job_id}")
                process.start()
                process.join()
                if process.exitcode != 0:
                    log.error("background job %s: its process ended with exit code %s", call.job_id,
                              process.exitcode)
            except BaseException:
                log.exception("background job %s: its process could not be run", call.job_id)
            finally:  # nothing, if the job said how it ended
                end_if_running(database, call, INTERNAL)

        self._turns.in_thread(watch, name=f"carepool-job-{call.job_id}-watch")

    def _stop_waiting(self) -> None:
        with self._lock:
            waiting, self._waiting = list(self._waiting.values()), {}
        for database, call in waiting:
            try:
                end_if_running(database, call, STOPPED)
            except Exception:  # the database may be gone already at exit
                log.warning("background job %s: could not say it stopped", call.job_id, exc_info=True)


class _ClockAhead:
    """The starting process's clock, carried over: the system clock plus how far that one was ahead of it."""

    def __init__(self, ahead: timedelta) -> None:
        self.ahead = ahead

    def __call__(self) -> datetime:
        return system_clock() + self.ahead


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a stop asked of the process (systemctl stop) ends the job as Ctrl-C would


def run_in_own_process(url: str, ahead: timedelta | None, sent: bytes) -> None:
    """A job process's whole life: open the database, do the work, close it. Stopped (SIGTERM, Ctrl-C), the job
    says it stopped. Its log goes to the standard error it shares with the server."""
    signal.signal(signal.SIGTERM, _interrupted)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    call: JobCall = pickle.loads(sent)
    clock: Clock = system_clock if ahead is None else _ClockAhead(ahead)
    database = Database(url, clock=clock)
    try:
        call.run(database)
    except KeyboardInterrupt:
        end_if_running(database, call, STOPPED)
    finally:
        database.dispose()


def runner_for(database: Database) -> Runner:
    """A process per job, unless no other process could open this database (SQLite in memory)."""
    return ThreadRunner() if database.in_memory else ProcessRunner()
