"""Background jobs on SQLite and PostgreSQL: one at a time per subject, progress written as they run, and an end
that says what was done or why not."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import OperationalError

from carepool.audit import service as audit
from carepool.core.clock import FixedClock
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.jobs import service as jobs
from carepool.jobs.model import STALLED_AFTER, Job, JobStatus
from carepool.jobs.runners import ThreadRunner
from carepool.jobs.tables import JobRow
from carepool.partners import access
from carepool.partners.model import Caller, OrgKind
from tests.integration.helpers import add_organisations, add_user

EALING = "E09000009"
SUBJECT = "CP-2026-001"
ABOUT = {"kind": "test", "subject_type": "tender", "subject": SUBJECT}  # what every job here is


@pytest.fixture
def clocked(database: Database) -> Iterator[Database]:
    with database.on_clock(FixedClock(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))) as walked:
        yield walked


def finance(database: Database) -> Caller:
    add_organisations(database, (EALING, "London Borough of Ealing", OrgKind.LOCAL_AUTHORITY))
    add_user(database, "fin@ealing.test", EALING, "finance")
    with database.uow() as uow:
        return access.caller_for_email(uow=uow, email="fin@ealing.test")


def latest(database: Database) -> Job | None:
    with database.uow() as uow:
        return jobs.latest(uow=uow, kind="test", subject=SUBJECT)


def ended(database: Database) -> Job:
    deadline = time.monotonic() + 20
    while (job := latest(database)) is not None and job.status is JobStatus.RUNNING:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job is not None
    return job


def trail(database: Database) -> list[tuple[str, str, object]]:
    """The audit trail's job events, oldest first: (action, who, details)."""
    with database.uow() as uow:
        events = audit.list_events(uow=uow, organisation=EALING, entity_type="tender", entity_id=SUBJECT)
    return [(e.action, e.actor, e.after) for e in reversed(events)]


def start(database: Database, caller: Caller, work: Callable[[jobs.Progress], str]) -> Job:
    """Start ``work`` in a thread (the process runner has tests of its own)."""
    return jobs.start(database=database, runner=ThreadRunner(), caller=caller, **ABOUT,
                      what=f"the test of {SUBJECT}", work=lambda uow, caller, subject, progress: work(progress))


def test_a_job_writes_its_progress_refuses_a_second_and_says_what_it_did(clocked: Database) -> None:
    caller = finance(clocked)
    halfway, carry_on = threading.Event(), threading.Event()

    def work(progress: jobs.Progress) -> str:
        progress(0, 4)
        time.sleep(jobs.PROGRESS_EVERY + 0.05)  # progress is written at most every PROGRESS_EVERY seconds
        progress(2, 4)
        halfway.set()
        carry_on.wait(10)
        progress(4, 4)
        return "four steps done"

    first = start(clocked, caller, work)
    assert first.status is JobStatus.RUNNING and first.started_by == "user:fin@ealing.test"
    assert halfway.wait(10)
    time.sleep(0.2)
    assert (latest(clocked).done, latest(clocked).total) == (2, 4)  # type: ignore[union-attr]
    with pytest.raises(CarepoolError) as refused:
        start(clocked, caller, work)
    assert refused.value.kind == "conflict"
    assert refused.value.message == ("the test of CP-2026-001 is already being worked out (started 20:00 UTC by "
                                     "fin@ealing.test, 2 of 4): wait for it to finish")
    carry_on.set()
    done = ended(clocked)
    assert (done.id, done.status, done.done, done.total, done.message) == (first.id, JobStatus.DONE, 4, 4,
                                                                           "four steps done")
    assert done.seconds is not None and done.seconds > jobs.PROGRESS_EVERY
    again = start(clocked, caller, lambda progress: "again")  # once ended, the work may start again
    assert again.id > first.id and ended(clocked).message == "again"
    who = "user:fin@ealing.test"  # a start is in the trail; the refused one and the work's success are not
    assert trail(clocked) == [("test.started", who, {"job": first.id}), ("test.started", who, {"job": again.id})]


def test_a_refusal_inside_the_work_is_the_jobs_message_and_a_crash_is_logged_not_shown(clocked: Database) -> None:
    caller = finance(clocked)
    why = "tender CP-2026-001 has no award yet"

    def refuse(progress: jobs.Progress) -> str:
        raise CarepoolError(why, kind="conflict")

    start(clocked, caller, refuse)
    assert (ended(clocked).status, ended(clocked).message) == (JobStatus.FAILED, why)

    def crash(progress: jobs.Progress) -> str:
        raise ZeroDivisionError("a bug")

    start(clocked, caller, crash)
    failed = ended(clocked)
    assert failed.status is JobStatus.FAILED and "a bug" not in failed.message
    assert failed.message.startswith("it stopped on an internal error, which is logged for the operator")
    assert [(action, after) for action, _, after in trail(clocked)][1:] == [
        ("test.failed", {"job": failed.id - 1, "why": why}), ("test.started", {"job": failed.id}),
        ("test.failed", {"job": failed.id, "why": failed.message})]


def test_a_job_left_running_by_a_restart_reads_as_stalled_and_does_not_block_a_new_one(clocked: Database) -> None:
    caller = finance(clocked)
    lost = jobs.start(database=clocked, runner=NeverRuns(), caller=caller, **ABOUT,
                      what="the test", work=lambda *_: "never")
    clock = clocked.clock
    assert isinstance(clock, FixedClock)
    with pytest.raises(CarepoolError, match="already being worked out"):
        start(clocked, caller, lambda progress: "too soon")
    clock.now = clock.now + STALLED_AFTER + STALLED_AFTER / 10
    stalled = latest(clocked)
    assert stalled is not None and stalled.id == lost.id and stalled.stalled(clock.now)
    again = start(clocked, caller, lambda progress: "started over")
    assert ended(clocked).message == "started over"
    assert trail(clocked)[-1] == ("test.started", "user:fin@ealing.test", {"job": again.id, "stopped_job": lost.id})
    with clocked.uow() as uow:
        before = uow.session.get(JobRow, lost.id)
        assert before is not None and (before.status, before.message) == ("failed", jobs.STOPPED)


def test_two_starts_at_the_same_moment_run_one_job(clocked: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both look before either writes; the database lets only one job run on a subject, and the other start is
    refused as if it had looked a moment later."""
    caller = finance(clocked)
    first = jobs.start(database=clocked, runner=NeverRuns(), caller=caller, **ABOUT,
                       what="the test", work=lambda *_: "first")
    looked = iter([None])  # the second start's look comes before the first's write
    real = jobs._latest_row
    monkeypatch.setattr(jobs, "_latest_row", lambda uow, kind, subject: next(looked, real(uow, kind, subject)))
    with pytest.raises(CarepoolError) as refused:
        start(clocked, caller, lambda progress: "second")
    assert refused.value.kind == "conflict" and refused.value.message.startswith(
        "the test of CP-2026-001 is already being worked out (started 20:00 UTC by fin@ealing.test, starting)")
    with clocked.uow() as uow:
        assert [row.id for row in uow.session.query(JobRow).all()] == [first.id]


class NeverRuns:
    """A runner whose process ends before it runs anything (a server restarted under its job)."""

    def submit(self, database: Database, call: jobs.JobCall) -> None:
        pass


def test_a_progress_write_that_fails_does_not_stop_the_work(clocked: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    caller = finance(clocked)
    real = jobs._write

    def busy(database: Database, job_id: int, **said: object) -> None:
        if "done" in said:  # the database is busy whenever progress is written
            raise OperationalError("UPDATE jobs", {}, Exception("database is locked"))
        real(database, job_id, **said)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "_write", busy)

    def work(progress: jobs.Progress) -> str:
        progress(1, 2)
        progress(2, 2)
        return "done despite a busy database"

    start(clocked, caller, work)
    done = ended(clocked)
    assert (done.status, done.message) == (JobStatus.DONE, "done despite a busy database")
