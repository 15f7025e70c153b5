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
    # Going back would leave one line where a member states several (one per provider): refused rather than lose
    # hours. The member merges its lines into one first.
    shared = op.get_bind().execute(sa.text(
        "SELECT COUNT(*) FROM (SELECT 1 FROM procurement_demand GROUP BY consortium_id, member_code, service, "
        "locality_code HAVING COUNT(*) > 1) AS shared")).scalar_one()
    if shared:
        raise RuntimeError(f"cannot go back below revision 0017: {shared} member(s) state demand for one service in "
                           "one locality from several current providers; merge each into one line first")
    with op.batch_alter_table("procurement_demand") as batch:
        batch.drop_constraint("uq_procurement_demand_consortium_id", type_="unique")
        batch.create_unique_constraint("uq_procurement_demand_consortium_id", OLD_KEY)
        batch.drop_column("current_provider")
