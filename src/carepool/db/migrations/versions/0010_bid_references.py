"""procurement: each bid gets a random public reference, so its number no longer names it outside the database

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 02:00:00.000000

Bid numbers count up across every tender, and a provider saw its own (on receipts, in file names and
addresses): two of them told it how many bids others had sealed in between. Every bid, old ones too, now
gets a random reference (``B-`` and 10 characters of Crockford's base32) from a cryptographic source, and
that is what receipts, pages, the API and the audit trail name. The awards' record of which bids were
below the quality floor (``evaluation_json``) names them by reference too. Audit events already written
keep the numbers they were written with: the trail is never edited.
"""

import json
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The spelling of carepool.procurement.sealing.new_reference, copied so that this revision never changes.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_bids = sa.table("procurement_bids", sa.column("id", sa.Integer()), sa.column("reference", sa.String(length=20)))
_tenders = sa.table("procurement_tenders", sa.column("id", sa.Integer()), sa.column("evaluation_json", sa.Text()))


def _new_reference() -> str:
    return "B-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def _columns(*, reference: bool) -> list[sa.Column[Any]]:
    """procurement_bids' columns as 0004 made them, and the reference after them (where ADD COLUMN puts it)."""
    columns = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("provider_code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.String(length=300), nullable=True),
        sa.Column("tender_version", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=254), nullable=False),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=True),
        sa.Column("quality_cents", sa.BigInteger(), nullable=True),
        sa.Column("max_quantity_cents", sa.BigInteger(), nullable=True),
        sa.Column("capacity_cents", sa.BigInteger(), nullable=True),
        sa.Column("panel_quality_cents", sa.BigInteger(), nullable=True),
        sa.Column("panel_note", sa.Text(), nullable=True),
    ]
    if reference:
        columns.append(sa.Column("reference", sa.String(length=20), nullable=False))
    return columns


def _rebuild_on_sqlite(*, reference: bool) -> None:
    """Make procurement_bids anew on SQLite, with or without its (not null) reference.

    SQLite sets NOT NULL, or drops a column, only by making the table again. Batch mode makes the new
    table under a temporary name and renames it after dropping the old one, and that fails here: carepool's
    connections enforce foreign keys, the migrations run in one transaction (where that cannot be switched
    off), and sealed envelopes and awards point at the bids. So the rows are copied aside, the table is
    dropped with the foreign-key check deferred to the commit, made again under its own name, and the rows
    copied back: at commit every envelope and award must find its bid again, or nothing is changed.
    """
    columns = ", ".join(column.name for column in _columns(reference=reference))
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit (it must stay on until then)
    op.create_table("_procurement_bids_copy", *(sa.Column(c.name, c.type) for c in _columns(reference=reference)))
    op.execute(f"INSERT INTO _procurement_bids_copy ({columns}) SELECT {columns} FROM procurement_bids")
    op.drop_table("procurement_bids")  # and its indexes
    op.create_table(
        "procurement_bids",
        *_columns(reference=reference),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["procurement_lots.id"], name=op.f("fk_procurement_bids_lot_id_procurement_lots")
        ),
        sa.ForeignKeyConstraint(
            ["provider_code"], ["organisations.code"], name=op.f("fk_procurement_bids_provider_code_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["procurement_tenders.id"], name=op.f("fk_procurement_bids_tender_id_procurement_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_bids")),
    )
    with op.batch_alter_table("procurement_bids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_bids_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_bids_provider_code"), ["provider_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_bids_tender_id"), ["tender_id"], unique=False)
    op.execute(f"INSERT INTO procurement_bids ({columns}) SELECT {columns} FROM _procurement_bids_copy")
    op.drop_table("_procurement_bids_copy")


def _rename_excluded(names: dict[object, object]) -> None:
    """Name the bids in each evaluation's list of those below the quality floor by ``names`` (id <-> reference)."""
    bind = op.get_bind()
    stored = bind.execute(sa.select(_tenders.c.id, _tenders.c.evaluation_json)
                          .where(_tenders.c.evaluation_json.is_not(None))).all()
    for tender_id, text in stored:
        evaluation = json.loads(text)
        excluded = evaluation.get("excluded") or []
        if not any(item.get("bid") in names for item in excluded):
            continue
        for item in excluded:
            item["bid"] = names.get(item.get("bid"), item.get("bid"))
        bind.execute(_tenders.update().where(_tenders.c.id == tender_id)
                     .values(evaluation_json=json.dumps(evaluation)))


def upgrade() -> None:
    with op.batch_alter_table("procurement_bids", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=20), nullable=True))
    bind = op.get_bind()
    references: dict[object, object] = {}
    taken: set[str] = set()
    for bid_id in bind.execute(sa.select(_bids.c.id).order_by(_bids.c.id)).scalars():
        reference = _new_reference()
        while reference in taken:
            reference = _new_reference()
        taken.add(reference)
        references[bid_id] = reference
    if references:
        bind.execute(_bids.update().where(_bids.c.id == sa.bindparam("bid_id")).values(
            reference=sa.bindparam("new_reference")),
            [{"bid_id": bid_id, "new_reference": reference} for bid_id, reference in references.items()])
    _rename_excluded(references)
    if bind.dialect.name == "sqlite":
        _rebuild_on_sqlite(reference=True)
    else:
        with op.batch_alter_table("procurement_bids", schema=None) as batch_op:
            batch_op.alter_column("reference", existing_type=sa.String(length=20), nullable=False)
    with op.batch_alter_table("procurement_bids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_bids_reference"), ["reference"], unique=True)


def downgrade() -> None:
    bind = op.get_bind()
    ids = {reference: bid_id for bid_id, reference in bind.execute(sa.select(_bids.c.id, _bids.c.reference))}
    _rename_excluded(ids)
    with op.batch_alter_table("procurement_bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_bids_reference"))
    if bind.dialect.name == "sqlite":
        _rebuild_on_sqlite(reference=False)
    else:
        with op.batch_alter_table("procurement_bids", schema=None) as batch_op:
            batch_op.drop_column("reference")
