"""procurement_ocds_releases: each open contracting release of a tender kept as it was published

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-24 23:00:00.000000

OCDS releases are immutable: the tender release says what was known when the tender was published, and a change
is a new release (an amendment, a cancellation, the award, the contracts). Until now every release was built from
the tender as it stands, so an awarded tender's first release claimed to have known its tenderers on the day it
was published, and an amended tender's first release disappeared. Tenders published before this revision have
no stored releases and are still published from their current state.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_ocds_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["procurement_tenders.id"],
                                name=op.f("fk_procurement_ocds_releases_tender_id_procurement_tenders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_ocds_releases")),
        sa.UniqueConstraint("tender_id", "key", name=op.f("uq_procurement_ocds_releases_tender_id")),
    )
    op.create_index(op.f("ix_procurement_ocds_releases_tender_id"), "procurement_ocds_releases", ["tender_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_procurement_ocds_releases_tender_id"), table_name="procurement_ocds_releases")
    op.drop_table("procurement_ocds_releases")
