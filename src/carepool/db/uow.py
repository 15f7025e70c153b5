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

    def __init__(self, database: Database) -> None:
        self.database = database
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def now(self) -> datetime:
        return self.database.clock()

    def __enter__(self) -> UnitOfWork:
        self._session = self.database.sessions()
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
