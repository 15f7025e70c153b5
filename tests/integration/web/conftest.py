"""``clock``, ``clocked`` and ``client``: a database and app on a clock that moves only when a test moves it, with
Brent and two of its users, for tests of time windows (sign-in throttle, session lifetime). A test module's own
``client`` fixture, if it has one, takes the place of this one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from carepool.core.clock import FixedClock
from carepool.db.engine import Database
from carepool.partners.model import OrgKind
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def clocked(database: Database, clock: FixedClock) -> Iterator[Database]:
    db = Database(database.url, clock=clock)
    add_organisations(db, ("E09000005", "Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(db, "admin@brent.test", "E09000005", "admin")
    add_user(db, "finance@brent.test", "E09000005", "viewer")
    yield db
    db.dispose()


@pytest.fixture
def client(clocked: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database=clocked)) as test_client:
        yield test_client
