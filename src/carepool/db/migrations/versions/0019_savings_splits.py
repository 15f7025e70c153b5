"""procurement: the savings game of a tender, for splitting its saving among the members

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24 17:00:00.000000

Each group of a tender's members and what it would have saved tendering alone (same bids, same rules, its own
shares of the lots), worked out once by running every group's award and kept, so the finance directors' page shows
the proportional and Shapley splits without running them again. ``award_stamp`` is a hash of the award the game was
worked out from: a changed award marks the split as out of date.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_savings_splits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=254), nullable=False),
        sa.Column("award_stamp", sa.String(length=64), nullable=False),
        sa.Column("game_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["procurement_tenders.id"],
                                name=op.f("fk_procurement_savings_splits_tender_id_procurement_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_savings_splits")),
        sa.UniqueConstraint("tender_id", name=op.f("uq_procurement_savings_splits_tender_id")),
    )


def downgrade() -> None:
    op.drop_table("procurement_savings_splits")
