"""Alembic environment: batch mode so every migration also runs on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

import carepool.db.registry  # noqa: F401  (registers every table)
from carepool.db.base import Base, MoneyType

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, obj: object, _context: object) -> str | bool:
    """Migrations must not import our types: money is plain BigInteger pence there."""
    if kind == "type" and isinstance(obj, MoneyType):
        return "sa.BigInteger()"
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as fresh:
        _run(fresh)
