"""procurement: the date a tender's contracts are to start

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 08:00:00.000000

A tender for "2027 to 2031" had its contracts start the day after standstill, whenever that fell. A tender
may now say when its contracts start (the day after standstill if that is later). Tenders stored before
this migration have none and keep the old rule.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not batch mode: on SQLite batch mode makes the table anew, which the foreign keys of bids,
# lots and awards pointing at tenders refuse (SQLite adds a column, and since 3.35 drops one, in place).
def upgrade() -> None:
    op.add_column("procurement_tenders", sa.Column("contract_start", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("procurement_tenders", "contract_start")
