"""audit: an index on (organisation, at), for an organisation's newest events by time

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 01:25:00.000000

The audit trail is listed newest first by time (not by number: a clock set back, as in the demo,
appends older times after newer ones), so the newest 200 of an organisation's events are read
from this index instead of sorting them all.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_organisation_at", ["organisation", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_organisation_at")
