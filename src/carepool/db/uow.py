"""The unit of work: one session, one transaction, committed explicitly by the service."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from carepool.db.engine import Database


class UnitOfWork:
    """``with db.uow() as uow: ...; uow.commit()`` — anything not committed rolls back."""

    def __init__(self, database: Database, *, reads_only: bool = False) -> None:
        self.database = database
        self.reads_only = reads_only
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def now(self) -> datetime:
        return self.database.clock()

    def __enter__(self) -> UnitOfWork:
        self._session = (self.database.reading_sessions if self.reads_only else self.database.sessions)()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def pause(self) -> None:
        """End the transaction so far, which has only read (who is asking, may they): SQLite takes its write
        lock at a transaction's first statement, so a long read of an upload would hold every writer up. The
        next statement begins a new transaction."""
        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("a unit of work with changes cannot pause: commit or roll them back first")
        self.session.rollback()
