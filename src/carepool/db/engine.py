"""Engines for SQLite (embedded default) and PostgreSQL, set up the same way everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from carepool.db.uow import UnitOfWork

from carepool.core.clock import Clock, system_clock


def normalise_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy own transactions so we can BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reading transaction takes no lock (WAL lets it read beside a writer) and SQLite itself refuses any
        # write in it; any other takes the write lock at the start, so two writers never deadlock on upgrade.
        if _reads_only(connection):
            connection.exec_driver_sql("PRAGMA query_only=ON")
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("PRAGMA query_only=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A page's reads all see one snapshot (its totals agree with its rows); a transaction that only reads
        # is never refused for serialization at this level.
        if _reads_only(connection):
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


READS_ONLY = "carepool_reads_only"  # the execution option a reading unit of work's connections carry


def _reads_only(connection: Any) -> bool:
    return bool(connection.get_execution_options().get(READS_ONLY))


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _configure_postgresql(engine)
    return engine


class Database:
    """An engine, its session factory and the clock that stamps what we store."""

    def __init__(self, url: str, *, clock: Clock = system_clock, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.reading_sessions = sessionmaker(self.engine.execution_options(**{READS_ONLY: True}),
                                             expire_on_commit=False)
        self.clock = clock

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def in_memory(self) -> bool:
        """Whether the database lives in this process's memory, where no other process can open it."""
        url = self.engine.url
        return self.is_sqlite and (url.database in (None, "", ":memory:") or url.query.get("mode") == "memory")

    def uow(self, *, reads_only: bool = False) -> UnitOfWork:
        """A unit of work; with ``reads_only`` the database refuses any write in it, and on SQLite it takes no
        lock, so pages are read beside a writer instead of queueing behind it."""
        from carepool.db.uow import UnitOfWork

        return UnitOfWork(self, reads_only=reads_only)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def on_clock(self, clock: Clock) -> Iterator[Database]:
        """The same database with its records stamped by ``clock`` (a demo's simulated weeks); closed after."""
        walked = Database(self.url, clock=clock)
        try:
            yield walked
        finally:
            walked.dispose()
