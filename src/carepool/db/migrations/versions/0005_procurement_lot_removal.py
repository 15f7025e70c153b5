"""procurement: lots taken out of a tender after bids were made on them are kept as a record

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procurement_lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_from_tender_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_procurement_lots_removed_from_tender_id_procurement_tenders"),
                                    "procurement_tenders", ["removed_from_tender_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("procurement_lots", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_procurement_lots_removed_from_tender_id_procurement_tenders"),
                                 type_="foreignkey")
        batch_op.drop_column("removed_from_tender_id")
