"""procurement: an organisation joins a consortium only by accepting its invitation

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 11:00:00.000000

A consortium's lead could list any council or NHS body as a member, state its demand and publish a tender naming
it as a buyer, without that organisation ever agreeing. A member named by the lead is now invited, and is a member
once one of its own users accepts (``joined_at``). Memberships stored before this migration were made under the
old rule and are kept as joined, at the consortium's creation, so running tenders keep their buyers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE (see 0014): batch mode would make the table anew.
def upgrade() -> None:
    op.add_column("procurement_consortium_members", sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE procurement_consortium_members SET joined_at = (SELECT created_at FROM procurement_consortia "
               "WHERE procurement_consortia.id = procurement_consortium_members.consortium_id)")


def downgrade() -> None:
    op.execute("DELETE FROM procurement_consortium_members WHERE joined_at IS NULL")
    op.drop_column("procurement_consortium_members", "joined_at")
