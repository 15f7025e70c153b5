"""pooled budgets: each partner accepts (signs) or declines a proposed agreement

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 06:00:00.000000

One partner could store an agreement that committed another organisation, and it took effect at once.
A new agreement is now "proposed" until every partner has accepted it (the proposer accepts by
proposing); each partner's decision is a row here. Agreements stored before this migration stay
as they are (active or settled).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pool_agreement_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_agreements.id"],
            name=op.f("fk_pool_agreement_decisions_agreement_id_pool_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["organisations.code"],
            name=op.f("fk_pool_agreement_decisions_partner_code_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_agreement_decisions")),
        sa.UniqueConstraint("agreement_id", "partner_code", name=op.f("uq_pool_agreement_decisions_agreement_id")),
    )
    with op.batch_alter_table("pool_agreement_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_agreement_decisions_agreement_id"), ["agreement_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pool_agreement_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_agreement_decisions_agreement_id"))
    op.drop_table("pool_agreement_decisions")
