"""Every integration test runs on SQLite and on PostgreSQL (a fresh database each)."""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for each test (migrating takes 0.27 s, copying a few ms)."""
    path = tmp_path_factory.mktemp("template") / "carepool-migrated.db"
    template = Database(f"sqlite:///{path}")
    upgrade(template)
    template.dispose()
    return path


@pytest.fixture(scope="session")
def _migrated_postgres() -> Iterator[str]:
    """One PostgreSQL database migrated to head, the template each test's database is created from (0.06 s,
    against 0.46 s to create and migrate one); nothing stays connected to it, as CREATE DATABASE needs."""
    for url in _fresh_postgres_url():
        template = Database(url)
        upgrade(template)
        template.dispose()
        yield make_url(url).database or ""


@pytest.fixture
def database(database_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated, empty database of each kind: a copy of one migrated at the start of the run."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), url.database or "")
    else:
        template = request.getfixturevalue("_migrated_postgres")
        admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # the empty database made for this test, made again from the template
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"'))
        admin.dispose()
    db = Database(database_url)
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
