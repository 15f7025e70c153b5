"""A background job at the API's edge (the pages poll it to move their progress bars)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from carepool.core.errors import CarepoolError
from carepool.jobs.model import Job


class JobRead(BaseModel):
    status: str = Field(description="running, done or failed")
    done: int = Field(description="Steps finished so far")
    total: int = Field(description="Steps in all (0 until the job knows)")
    message: str = Field(description="When done, what was done; when failed, why")
    started_by: str
    started_at: str
    stalled: bool = Field(description="Marked running but silent for so long that it stopped (a server restart)")
    seconds: float | None = Field(description="How long it ran, once it has ended")

    @classmethod
    def found(cls, job: Job | None, now: datetime, *, missing: str) -> JobRead:
        """The job as the API shows it; none is 404 with ``missing`` ("the award of tender X has not been run
        from its page")."""
        if job is None:
            raise CarepoolError(missing, kind="not_found")
        return cls.of(job, now)

    @classmethod
    def of(cls, job: Job, now: datetime) -> JobRead:
        return cls(status=job.status.value, done=job.done, total=job.total, message=job.message,
                   started_by=job.started_by, started_at=job.started_at.isoformat(), stalled=job.stalled(now),
                   seconds=job.seconds)
