"""Jobs in a process of their own, on SQLite and PostgreSQL: the work is sent there by name, opens the database by
its URL on the starting process's clock, and a process that dies without saying how its job ended fails the job."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from carepool.core.clock import FixedClock
from carepool.db.engine import Database
from carepool.db.uow import UnitOfWork
from carepool.jobs import service as jobs
from carepool.jobs.model import Job, JobStatus
from carepool.jobs.runners import ProcessRunner, ThreadRunner, runner_for
from carepool.partners.model import Caller
from tests.integration.jobs.test_jobs import ABOUT, SUBJECT, clocked, finance, trail  # noqa: F401  (clocked is a fixture)

STARTED = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def says_where_it_ran(uow: UnitOfWork, caller: Caller, subject: str, progress: jobs.Progress) -> str:
    """Counts two steps and says which process did them, for whom, on what, and when by its clock."""
    progress(1, 2)
    progress(2, 2)
    return f"{os.getpid()} {caller.email} {subject} {uow.now().isoformat()}"


def dies(uow: UnitOfWork, caller: Caller, subject: str, progress: jobs.Progress) -> str:
    """Killed mid-work, as a solver's crash would end its process: nothing is said."""
    progress(1, 3)
    os.kill(os.getpid(), signal.SIGKILL)
    return "never"


def waits_to_be_stopped(uow: UnitOfWork, caller: Caller, subject: str, progress: jobs.Progress) -> str:
    """Says it has started, then waits far longer than any test."""
    progress(1, 2)
    time.sleep(120)
    return "never"


def run(database: Database, caller: Caller, work: jobs.Work) -> Job:
    job = jobs.start(database=database, runner=ProcessRunner(), caller=caller, **ABOUT,
                     what="the test", work=work)
    deadline = time.monotonic() + 60  # a fresh interpreter imports carepool first
    while True:
        with database.uow() as uow:
            found = jobs.latest(uow=uow, kind="test", subject=SUBJECT)
        assert found is not None and found.id == job.id
        if found.status is not JobStatus.RUNNING:
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


def test_a_job_runs_in_its_own_process_on_the_starting_clock(clocked: Database) -> None:  # noqa: F811
    done = run(clocked, finance(clocked), says_where_it_ran)
    assert (done.status, done.done, done.total) == (JobStatus.DONE, 2, 2)
    pid, email, subject, stamped = done.message.split(" ")
    assert int(pid) != os.getpid() and (email, subject) == ("fin@ealing.test", SUBJECT)
    assert STARTED <= datetime.fromisoformat(stamped) < STARTED + timedelta(minutes=1)  # not the system's date
    assert STARTED <= done.updated_at.replace(tzinfo=UTC) < STARTED + timedelta(minutes=1)


def test_a_process_that_dies_fails_its_job(clocked: Database, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    failed = run(clocked, finance(clocked), dies)
    assert (failed.status, failed.done, failed.message) == (JobStatus.FAILED, 1, jobs.INTERNAL)
    assert f"its process ended with exit code -{int(signal.SIGKILL)}" in caplog.text
    assert trail(clocked)[-1] == ("test.failed", "user:fin@ealing.test", {"job": failed.id, "why": jobs.INTERNAL})


def test_a_database_in_memory_runs_its_jobs_in_threads(database: Database) -> None:
    assert isinstance(runner_for(database), ProcessRunner)
    in_memory = Database("sqlite://", clock=FixedClock(STARTED))
    try:
        assert in_memory.in_memory and isinstance(runner_for(in_memory), ThreadRunner)
    finally:
        in_memory.dispose()


def test_work_that_cannot_be_sent_to_a_process_is_refused_and_leaves_no_job_running(clocked: Database) -> None:  # noqa: F811
    caller = finance(clocked)
    with pytest.raises(Exception, match=r"pickle|Can.t get local"):
        jobs.start(database=clocked, runner=ProcessRunner(), caller=caller, **ABOUT, what="the test",
                   work=lambda uow, caller, subject, progress: "a lambda has no name to be sent by")
    with clocked.uow() as uow:
        refused = jobs.latest(uow=uow, kind="test", subject=SUBJECT)
    assert refused is not None and (refused.status, refused.message) == (JobStatus.FAILED, jobs.INTERNAL)


def test_a_job_process_asked_to_stop_says_it_stopped(clocked: Database) -> None:  # noqa: F811
    caller = finance(clocked)
    jobs.start(database=clocked, runner=ProcessRunner(), caller=caller, **ABOUT, what="the test",
               work=waits_to_be_stopped)
    deadline = time.monotonic() + 60
    while (job := latest_of(clocked)) is None or job.done < 1:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    children = [p for p in multiprocessing.active_children() if p.name.startswith("carepool-job-")]
    assert len(children) == 1
    os.kill(children[0].pid, signal.SIGTERM)  # as systemctl stop would  # type: ignore[arg-type]
    while (job := latest_of(clocked)) is not None and job.status is JobStatus.RUNNING:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job is not None and (job.status, job.message) == (JobStatus.FAILED, jobs.STOPPED)


def latest_of(database: Database) -> Job | None:
    with database.uow() as uow:
        return jobs.latest(uow=uow, kind="test", subject=SUBJECT)
