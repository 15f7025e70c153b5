"""procurement: the reason for an award set by hand, kept on each award of the lots changed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:15:00.000000

A tender kept one override reason, replaced by each override, and a bidder shown it could read
what was written about a lot it never bid on. Awards made by hand before this revision keep no
reason of their own: the tender's last one may be about another lot, so it is not copied.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procurement_awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procurement_awards", schema=None) as batch_op:
        batch_op.drop_column("reason")
