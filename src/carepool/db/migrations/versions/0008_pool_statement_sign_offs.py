"""pooled budgets: each partner's sign-off of the year-end settlement statement

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 01:00:00.000000

The statement workbook had a line per partner to sign on paper; a sign-off is now recorded in carepool
(who, for which partner, in what role, when), once per partner.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pool_statement_sign_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_settlements.agreement_id"],
            name=op.f("fk_pool_statement_sign_offs_agreement_id_pool_settlements"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["organisations.code"],
            name=op.f("fk_pool_statement_sign_offs_partner_code_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_statement_sign_offs")),
        sa.UniqueConstraint("agreement_id", "partner_code", name=op.f("uq_pool_statement_sign_offs_agreement_id")),
    )
    with op.batch_alter_table("pool_statement_sign_offs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_statement_sign_offs_agreement_id"), ["agreement_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pool_statement_sign_offs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_statement_sign_offs_agreement_id"))
    op.drop_table("pool_statement_sign_offs")
