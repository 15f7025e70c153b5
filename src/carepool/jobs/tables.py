"""Background jobs' storage: one row per job, its progress written as it runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from carepool.db.base import Base, UtcDateTime


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_kind_subject", "kind", "subject"),
        # at most one job runs on a subject at a time, even when two start at the same moment
        Index("uq_jobs_running", "kind", "subject", unique=True, sqlite_where=text("status = 'running'"),
              postgresql_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(254))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seconds: Mapped[float | None] = mapped_column(Float)
