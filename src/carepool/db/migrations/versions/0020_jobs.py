"""jobs: long work (a tender's savings split) run in the background, its progress kept as it runs

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-24 21:00:00.000000

One row per job: what it works on, how many of its steps are done, and how it ended. Every web process reads the
progress from here, so the page that started the work can show a bar while another process serves the polls. A
partial unique index lets only one job run on a subject at a time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("started_by", sa.String(length=254), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_kind_subject", "jobs", ["kind", "subject"])
    op.create_index("uq_jobs_running", "jobs", ["kind", "subject"], unique=True,
                    sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))


def downgrade() -> None:
    op.drop_index("uq_jobs_running", table_name="jobs")
    op.drop_index("ix_jobs_kind_subject", table_name="jobs")
    op.drop_table("jobs")
