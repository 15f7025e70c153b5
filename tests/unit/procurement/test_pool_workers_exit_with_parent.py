"""A savings split's pool workers end when the job process that started them is killed, instead of waiting for
work forever (each holds memory and, on PostgreSQL, nothing else; but they add up on a server)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection

from carepool.procurement.coalitions import exit_with_parent


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _starts_a_pool_and_is_killed(report: Connection) -> None:
    pool = ProcessPoolExecutor(2, initializer=exit_with_parent, mp_context=multiprocessing.get_context("spawn"))
    futures = [pool.submit(_pid_after, 0.2) for _ in range(2)]
    report.send(sorted({f.result() for f in futures}))
    pool.submit(_pid_after, 1.0)
    os.kill(os.getpid(), signal.SIGKILL)  # as a crash or the OOM killer would end a job's process


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_pool_workers_end_soon_after_their_parent_is_killed() -> None:
    spawn = multiprocessing.get_context("spawn")
    mine, theirs = spawn.Pipe()
    parent = spawn.Process(target=_starts_a_pool_and_is_killed, args=(theirs,))
    parent.start()
    workers = mine.recv()
    parent.join(30)
    assert parent.exitcode == -signal.SIGKILL and workers
    deadline = time.monotonic() + 10  # each worker looks for its parent every second
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"pool workers {left} outlived their parent"
