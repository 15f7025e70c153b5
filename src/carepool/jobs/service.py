"""Starting a job, keeping its progress, reading how it stands.

The work runs out of the request, with its own units of work (``carepool.jobs.runners``: in a process of its own,
or a thread where the database lives in memory); its progress and its end are written to the database, so any web
process can show them. A job is at most one at a time per kind and subject: starting a second while the first runs
is refused, naming who started the first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from carepool.audit import service as audit
from carepool.audit.model import actor_label
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.db.uow import UnitOfWork
from carepool.jobs.model import Job, JobStatus
from carepool.jobs.tables import JobRow
from carepool.partners.model import Caller

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (steps done, steps in all)
# Does the work on the subject for the caller in its own unit of work, saying how far it has got, and returns what
# was done, in words. A job run in another process is sent there by name: make it a module-level function.
Work = Callable[[UnitOfWork, Caller, str, Progress], str]
PROGRESS_EVERY = 0.5  # seconds: a job writes its progress no more often, except its last step
STOPPED = "it stopped without finishing (the server may have been restarted)"
INTERNAL = "it stopped on an internal error, which is logged for the operator; try again"
FINAL_WRITE_ATTEMPTS = 5  # waiting 1, 2, 4, 8 s between them


@dataclass(frozen=True)
class JobCall:
    """A recorded job's work, as a runner is handed it (and a process runner sends it to its process)."""

    job_id: int
    kind: str
    work: Work
    caller: Caller
    subject_type: str  # what the subject is in the audit trail ("tender")
    subject: str

    def run(self, database: Database) -> None:
        """Do the work, writing its progress and its end to the job's row."""

        def in_own_uow(progress: Progress) -> str:
            with database.uow() as own:
                return self.work(own, self.caller, self.subject, progress)

        _run(database, self, in_own_uow)

    def audit_failure(self, uow: UnitOfWork, why: str) -> None:
        """The trail's event for a job that failed (a job that succeeds leaves the event of what it did)."""
        audit.record(uow=uow, actor=self.caller.actor, organisation=self.caller.organisation_code,
                     action=f"{self.kind}.failed", entity_type=self.subject_type, entity_id=self.subject,
                     after={"job": self.job_id, "why": why})


class Runner(Protocol):
    def submit(self, database: Database, call: JobCall) -> None: ...


def _job(row: JobRow) -> Job:
    return Job(row.id, row.kind, row.subject, JobStatus(row.status), row.done, row.total, row.message,
               row.started_by, row.started_at, row.updated_at, row.seconds)


def _latest_row(uow: UnitOfWork, kind: str, subject: str) -> JobRow | None:
    return uow.session.execute(select(JobRow).where(JobRow.kind == kind, JobRow.subject == subject)
                               .order_by(JobRow.id.desc()).limit(1)).scalar_one_or_none()


def latest(*, uow: UnitOfWork, kind: str, subject: str) -> Job | None:
    """The newest job of this kind on this subject (the caller has already been allowed to see the subject)."""
    row = _latest_row(uow, kind, subject)
    return None if row is None else _job(row)


def running(*, uow: UnitOfWork, kind: str, subject: str) -> Job | None:
    """The job of this kind running on this subject now, if one is."""
    job = latest(uow=uow, kind=kind, subject=subject)
    return job if job is not None and job.running(uow.now()) else None


def started_words(job: Job) -> str:
    """'started 20:00 UTC by fin@ealing.test', for a refusal that names the run in the way."""
    return f"started {job.started_at:%H:%M} UTC by {actor_label(job.started_by)}"


def start(*, database: Database, runner: Runner, caller: Caller, kind: str, subject_type: str, subject: str,
          what: str, work: Work) -> Job:
    """Record the job, with its start in the audit trail, and hand ``work`` to the runner; ``what`` names the work
    in a refusal ("the savings split of tender CP-2026-001")."""
    with database.uow() as uow:
        now = uow.now()
        latest_row = _latest_row(uow, kind, subject)
        started_over: dict[str, int] = {}
        if latest_row is not None:
            before = _job(latest_row)
            if before.running(now):
                raise _already(what, before)
            if before.stalled(now):  # it will never end: say so, and start again
                latest_row.status, latest_row.message = JobStatus.FAILED.value, STOPPED
                uow.session.flush()  # before the new row: only one may be running
                started_over = {"stopped_job": before.id}
        row = JobRow(kind=kind, subject=subject, status=JobStatus.RUNNING.value, done=0, total=0, message="",
                     started_by=caller.actor, started_at=now, updated_at=now, seconds=None)
        try:
            uow.session.add(row)
            uow.session.flush()
            audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action=f"{kind}.started",
                         entity_type=subject_type, entity_id=subject, after={"job": row.id, **started_over})
            uow.commit()
        except IntegrityError:  # another start won the race between our look and our write
            uow.rollback()
            found = _latest_row(uow, kind, subject)
            raise _already(what, None if found is None else _job(found)) from None
        job = _job(row)
    call = JobCall(job.id, kind, work, caller, subject_type, subject)
    try:
        runner.submit(database, call)
    except BaseException:  # never left "running" with nothing behind it
        end_if_running(database, call, INTERNAL)
        raise
    return job


def _already(what: str, other: Job | None) -> CarepoolError:
    when = "" if other is None else f" ({started_words(other)}, {other.count or 'starting'})"
    return CarepoolError(f"{what} is already being worked out{when}: wait for it to finish", kind="conflict")


def start_after(uow: UnitOfWork, *, runner: Runner, caller: Caller, kind: str, subject_type: str, subject: str,
                what: str, work: Work) -> Job:
    """``start`` for a service that has checked the request in ``uow`` (which has only read, and is paused here)."""
    uow.pause()
    return start(database=uow.database, runner=runner, caller=caller, kind=kind, subject_type=subject_type,
                 subject=subject, what=what, work=work)


def _run(database: Database, call: JobCall, work: Callable[[Progress], str]) -> None:
    job_id = call.job_id
    started = time.monotonic()
    said = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - said[0] < PROGRESS_EVERY:
            return
        said[0] = now
        try:
            _write(database, job_id, done=done, total=total)
        except SQLAlchemyError:  # a busy database must not stop the work: the bar moves at the next step
            log.warning("background job %s: its progress could not be written", job_id, exc_info=True)

    try:
        message = work(progress)
    except CarepoolError as error:
        status, message = JobStatus.FAILED, error.message
    except Exception:  # the job says it broke; the log keeps the traceback for the operator
        log.exception("background job %s failed", job_id)
        status, message = JobStatus.FAILED, INTERNAL
    else:
        status = JobStatus.DONE
    _end(database, call, status, message, seconds=time.monotonic() - started)


def end_if_running(database: Database, call: JobCall, message: str) -> None:
    """Fail the job with ``message`` unless it has already ended (its process died before it could say)."""
    _end(database, call, JobStatus.FAILED, message, seconds=None)


def _end(database: Database, call: JobCall, status: JobStatus, message: str, *, seconds: float | None) -> None:
    """Write how the job ended, unless it has ended already (a run started over after it stalled is another row);
    tried a few times, since a job left "running" would refuse new starts until it stalls."""
    for attempt in range(FINAL_WRITE_ATTEMPTS):
        try:
            with database.uow() as uow:
                row = uow.session.get(JobRow, call.job_id)
                if row is None or row.status != JobStatus.RUNNING.value:
                    return  # ended already, or the database was reset under the job (a demo reloaded)
                row.status, row.message, row.updated_at = status.value, message, uow.now()
                if seconds is not None:
                    row.seconds = seconds
                if status is JobStatus.FAILED:
                    call.audit_failure(uow, message)
                uow.commit()
                return
        except SQLAlchemyError:
            log.warning("background job %s: its end could not be written (attempt %d)", call.job_id, attempt + 1,
                        exc_info=True)
            if attempt + 1 < FINAL_WRITE_ATTEMPTS:
                time.sleep(2**attempt)


def _write(database: Database, job_id: int, *, done: int, total: int) -> None:
    """The job's progress so far."""
    with database.uow() as uow:
        row = uow.session.get(JobRow, job_id)
        if row is None:  # the database was reset under the job (a demo reloaded): nothing to say it to
            return
        row.done, row.total, row.updated_at = done, total, uow.now()
        uow.commit()
