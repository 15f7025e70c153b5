"""A background job as the pages show it: what it is working on, how far it has got, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# A running job writes its progress at least this often while it runs (each group's award takes seconds), so one
# silent for longer stopped without finishing: the server was restarted under it, or its thread died.
STALLED_AFTER = timedelta(minutes=10)


class JobStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Job:
    id: int
    kind: str  # what the work is, e.g. "savings_split"
    subject: str  # what it works on, e.g. a tender's reference
    status: JobStatus
    done: int  # steps finished
    total: int  # steps in all (0 until the work knows)
    message: str  # on success what was done, on failure why not
    started_by: str  # actor
    started_at: datetime
    updated_at: datetime
    seconds: float | None  # how long it ran, once it has ended

    def stalled(self, now: datetime) -> bool:
        """Whether it is marked running but has said nothing for so long that it cannot still be running."""
        return self.status is JobStatus.RUNNING and now - self.updated_at > STALLED_AFTER

    def running(self, now: datetime) -> bool:
        return self.status is JobStatus.RUNNING and not self.stalled(now)

    @property
    def count(self) -> str:
        """'3 of 126', or '' before the work knows how many steps it has."""
        return f"{self.done:,} of {self.total:,}" if self.total else ""


def worth_showing(job: Job | None, result_at: datetime | None, now: datetime) -> Job | None:
    """The job, unless it failed or stopped before the result now shown was made (another way, or by another
    run): an old failure is not news."""
    if job is None or result_at is None or job.started_at > result_at:
        return job
    return None if job.status is JobStatus.FAILED or job.stalled(now) else job
