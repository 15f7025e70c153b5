from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import carepool.db.registry  # noqa: F401
from carepool.db.base import Base
from carepool.db.engine import Database
from carepool.db.migrate import is_up_to_date


def test_migrations_build_exactly_the_schema_of_the_models(database: Database) -> None:
    assert is_up_to_date(database)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
