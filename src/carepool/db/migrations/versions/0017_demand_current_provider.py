"""procurement: who provides each line of demand today, so the market before the tender can be measured

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24 11:40:00.000000

The award compared its market (each provider's share, HHI, SME share) with "cheapest wins", but not with the market
the consortium buys from today. A demand line may now name its current provider; a member buying one service in one
locality from several providers states one line for each (each with its hours and its price), so the line's key
gains the provider ('' where none is named).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = ["consortium_id", "member_code", "service", "locality_code"]


# Batch mode (the table is made anew on SQLite to change its unique key): no other table points at demand rows.
def upgrade() -> None:
    with op.batch_alter_table("procurement_demand") as batch:
        batch.add_column(sa.Column("current_provider", sa.String(200), nullable=False, server_default=""))
        batch.drop_constraint("uq_procurement_demand_consortium_id", type_="unique")
        batch.create_unique_constraint("uq_procurement_demand_consortium_id", [*OLD_KEY, "current_provider"])


def downgrade() -> None:
    op.execute("DELETE FROM procurement_demand WHERE current_provider <> '' AND id NOT IN (SELECT MIN(id) FROM "
               "procurement_demand GROUP BY consortium_id, member_code, service, locality_code)")
    with op.batch_alter_table("procurement_demand") as batch:
        batch.drop_constraint("uq_procurement_demand_consortium_id", type_="unique")
        batch.create_unique_constraint("uq_procurement_demand_consortium_id", OLD_KEY)
        batch.drop_column("current_provider")
