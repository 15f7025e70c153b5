"""procurement: a lot share's yearly spend today, kept when a split or merge hands it out

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 11:30:00.000000

A member's yearly spend on its share of a lot was worked out again from its hours and price each time
(hours x price x 52, to the penny), so splitting a lot moved the consortium's spend today by pennies (a lot of
£807,725.21 became £807,725.22 in two parts). A split or merge now hands each member's yearly spend out to the
parts by largest remainder and keeps each part's here; a lot built from demand has none, and is worked out as
before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("procurement_lot_shares", sa.Column("annual_value", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("procurement_lot_shares", "annual_value")
