"""procurement: a bid keeps the SME status its provider had when it was sealed

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 12:00:00.000000

The award's floor for small and medium providers read each provider's SME flag from the directory as it stood at
evaluation, and a provider's own admin can change that flag: a bidder could have made itself an SME after the
deadline to count towards the floor. As a selection questionnaire asks it, a provider's SME status is now declared
with its bid: the flag as it was when the bid was sealed. Bids sealed before this migration take the directory's flag
as it is when it runs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE (see 0014): batch mode would make the table anew, which the awards pointing at bids refuse.
def upgrade() -> None:
    op.add_column("procurement_bids", sa.Column("sme_declared", sa.Boolean(), nullable=True))
    # Bids sealed before: the directory's flag as it is now, so a flag changed from now on cannot move their award
    op.execute("UPDATE procurement_bids SET sme_declared = (SELECT organisations.sme FROM organisations "
               "WHERE organisations.code = procurement_bids.provider_code)")


def downgrade() -> None:
    op.drop_column("procurement_bids", "sme_declared")
