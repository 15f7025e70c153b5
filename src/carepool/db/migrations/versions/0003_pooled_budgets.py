"""pooled budgets: agreements, schemes, contributions, monitoring, variations, settlements

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pool_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("year_start", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=20), nullable=False),
        sa.Column("offset_across_schemes", sa.Boolean(), nullable=False),
        sa.Column("contingency_amount", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["host"], ["organisations.code"], name=op.f("fk_pool_agreements_host_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_agreements")),
    )
    with op.batch_alter_table("pool_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_agreements_host"), ["host"], unique=False)

    op.create_table(
        "pool_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("contingency_funding", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_agreements.id"], name=op.f("fk_pool_partners_agreement_id_pool_agreements")
        ),
        sa.ForeignKeyConstraint(["code"], ["organisations.code"], name=op.f("fk_pool_partners_code_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_partners")),
        sa.UniqueConstraint("agreement_id", "code", name=op.f("uq_pool_partners_agreement_id")),
    )
    with op.batch_alter_table("pool_partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_partners_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pool_partners_code"), ["code"], unique=False)

    op.create_table(
        "pool_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_agreements.id"], name=op.f("fk_pool_payments_agreement_id_pool_agreements")
        ),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["organisations.code"], name=op.f("fk_pool_payments_partner_code_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_payments")),
        sa.UniqueConstraint("agreement_id", "reference", name=op.f("uq_pool_payments_agreement_id")),
    )
    with op.batch_alter_table("pool_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_payments_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "pool_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_group", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("overspend_rule", sa.Text(), nullable=False),
        sa.Column("underspend_rule", sa.Text(), nullable=False),
        sa.Column("spend_account", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_agreements.id"], name=op.f("fk_pool_schemes_agreement_id_pool_agreements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_schemes")),
        sa.UniqueConstraint("agreement_id", "scheme_id", name=op.f("uq_pool_schemes_agreement_id")),
    )
    with op.batch_alter_table("pool_schemes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_schemes_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "pool_settlements",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_by", sa.String(length=200), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_agreements.id"], name=op.f("fk_pool_settlements_agreement_id_pool_agreements")
        ),
        sa.PrimaryKeyConstraint("agreement_id", name=op.f("pk_pool_settlements")),
    )
    op.create_table(
        "pool_variations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("proposed_org", sa.String(length=20), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["pool_agreements.id"], name=op.f("fk_pool_variations_agreement_id_pool_agreements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_variations")),
        sa.UniqueConstraint("agreement_id", "number", name=op.f("uq_pool_variations_agreement_id")),
    )
    with op.batch_alter_table("pool_variations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_variations_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "pool_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_row_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_code"], ["organisations.code"], name=op.f("fk_pool_contributions_partner_code_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["scheme_row_id"], ["pool_schemes.id"], name=op.f("fk_pool_contributions_scheme_row_id_pool_schemes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_contributions")),
        sa.UniqueConstraint("scheme_row_id", "partner_code", name=op.f("uq_pool_contributions_scheme_row_id")),
    )
    with op.batch_alter_table("pool_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_contributions_scheme_row_id"), ["scheme_row_id"], unique=False)

    op.create_table(
        "pool_forecast_overrides",
        sa.Column("scheme_row_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_row_id"], ["pool_schemes.id"], name=op.f("fk_pool_forecast_overrides_scheme_row_id_pool_schemes")
        ),
        sa.PrimaryKeyConstraint("scheme_row_id", name=op.f("pk_pool_forecast_overrides")),
    )
    op.create_table(
        "pool_monthly_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_row_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("actual", sa.BigInteger(), nullable=False),
        sa.Column("commitments", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_row_id"], ["pool_schemes.id"], name=op.f("fk_pool_monthly_figures_scheme_row_id_pool_schemes")
        ),
        sa.ForeignKeyConstraint(
            ["source"], ["organisations.code"], name=op.f("fk_pool_monthly_figures_source_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_monthly_figures")),
        sa.UniqueConstraint("scheme_row_id", "month", "source", name=op.f("uq_pool_monthly_figures_scheme_row_id")),
    )
    with op.batch_alter_table("pool_monthly_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_monthly_figures_scheme_row_id"), ["scheme_row_id"], unique=False)

    op.create_table(
        "pool_variation_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variation_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_code"],
            ["organisations.code"],
            name=op.f("fk_pool_variation_decisions_partner_code_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["variation_id"],
            ["pool_variations.id"],
            name=op.f("fk_pool_variation_decisions_variation_id_pool_variations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_variation_decisions")),
        sa.UniqueConstraint("variation_id", "partner_code", name=op.f("uq_pool_variation_decisions_variation_id")),
    )
    with op.batch_alter_table("pool_variation_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pool_variation_decisions_variation_id"), ["variation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pool_variation_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_variation_decisions_variation_id"))

    op.drop_table("pool_variation_decisions")
    with op.batch_alter_table("pool_monthly_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_monthly_figures_scheme_row_id"))

    op.drop_table("pool_monthly_figures")
    op.drop_table("pool_forecast_overrides")
    with op.batch_alter_table("pool_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_contributions_scheme_row_id"))

    op.drop_table("pool_contributions")
    with op.batch_alter_table("pool_variations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_variations_agreement_id"))

    op.drop_table("pool_variations")
    op.drop_table("pool_settlements")
    with op.batch_alter_table("pool_schemes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_schemes_agreement_id"))

    op.drop_table("pool_schemes")
    with op.batch_alter_table("pool_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_payments_agreement_id"))

    op.drop_table("pool_payments")
    with op.batch_alter_table("pool_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_partners_code"))
        batch_op.drop_index(batch_op.f("ix_pool_partners_agreement_id"))

    op.drop_table("pool_partners")
    with op.batch_alter_table("pool_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pool_agreements_host"))

    op.drop_table("pool_agreements")
