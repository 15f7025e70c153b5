import pytest
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


def test_going_back_below_0017_refuses_to_drop_a_members_second_line_of_demand(database: Database) -> None:
    from alembic import command
    from sqlalchemy import text

    from carepool.db.migrate import alembic_config, current_revision

    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO organisations (code, name, kind, sme) VALUES "
                                "('E09000005', 'Brent', 'local_authority', false), "
                                "('E09000013', 'Hammersmith and Fulham', 'local_authority', false)"))
        connection.execute(text("INSERT INTO localities (code, name, council_code, nhs_code) VALUES "
                                "('BRENT-KIL', 'Kilburn', 'E09000005', 'E09000013')"))
        connection.execute(text("INSERT INTO procurement_consortia (id, name, lead_code, created_at) VALUES "
                                "(1, 'West London', 'E09000013', '2026-01-01 00:00:00+00:00')"))
        connection.execute(text(
            "INSERT INTO procurement_demand (consortium_id, member_code, service, locality_code, "
            "weekly_quantity_cents, baseline_price, current_provider) VALUES "
            "(1, 'E09000005', 'home-care', 'BRENT-KIL', 50000, 2340, 'Crown'), "
            "(1, 'E09000005', 'home-care', 'BRENT-KIL', 40000, 2340, '')"))
    with pytest.raises(RuntimeError, match="cannot go back below revision 0017: 1 member"):
        command.downgrade(alembic_config(database), "0016")
    with database.engine.connect() as connection:
        hours = connection.execute(text("SELECT SUM(weekly_quantity_cents) FROM procurement_demand")).scalar_one()
    revision = current_revision(database)  # PostgreSQL rolls the whole downgrade back, SQLite stops at 0017
    assert hours == 90000 and revision is not None and int(revision) >= 17  # nothing lost; 0017 still there
