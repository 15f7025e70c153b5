"""Every stored time reads back as an aware UTC datetime, on SQLite (which keeps no zone) as on PostgreSQL, and a
time given in another zone is stored as the same moment, not as its wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from carepool.db.engine import Database
from carepool.partners.tables import SignInAttemptRow

SUMMER = timezone(timedelta(hours=1))


def test_times_come_back_aware_and_in_utc(database: Database) -> None:
    with database.uow() as uow:
        uow.session.add(SignInAttemptRow(at=datetime(2026, 7, 1, 10, 30, tzinfo=SUMMER), action="a", email="e",
                                         client="c"))
        uow.commit()
    with database.uow() as uow:
        at = uow.session.execute(select(SignInAttemptRow.at)).scalar_one()
        assert at == datetime(2026, 7, 1, 9, 30, tzinfo=UTC) and at.tzinfo is UTC
        earlier = select(SignInAttemptRow).where(SignInAttemptRow.at < datetime(2026, 7, 1, 9, 31, tzinfo=UTC))
        assert len(uow.session.execute(earlier).scalars().all()) == 1  # compared as moments in SQL too


def test_a_time_that_is_not_a_time_is_refused(database: Database) -> None:
    with database.uow() as uow, pytest.raises(Exception, match="expected datetime"):
        uow.session.add(SignInAttemptRow(at="2026-07-01", action="a", email="e", client="c"))
        uow.commit()
