"""Every integration test runs on SQLite and on PostgreSQL (a fresh database each)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from carepool.db.engine import Database, normalise_url
from carepool.db.migrate import upgrade

PG_ENV = "CAREPOOL_TEST_DATABASE_URL"


def _postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} must be set on CI so the PostgreSQL tests run")
        pytest.skip(f"{PG_ENV} not set: PostgreSQL tests skipped (set it to run them)")
    return normalise_url(url)


def _fresh_postgres_url() -> Iterator[str]:
    admin_url = _postgres_admin_url()
    name = f"carepool_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # unreachable server: fail on CI, skip elsewhere
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ENV} is not reachable: {error}")
        pytest.skip(f"PostgreSQL at {PG_ENV} is not reachable: {error}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'carepool-test.db'}"
    else:
        yield from _fresh_postgres_url()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    db = Database(database_url)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database: Database) -> Database:
    """Point the CLI at the test database."""
    monkeypatch.setenv("CAREPOOL_DATABASE_URL", database.url)
    return database


@pytest.fixture
def pg_database() -> Iterator[Database]:
    """A migrated, empty PostgreSQL database (for tests of real concurrency)."""
    for url in _fresh_postgres_url():
        db = Database(url, pool_size=10, max_overflow=10)
        upgrade(db)
        yield db
        db.dispose()
