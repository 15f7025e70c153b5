"""The web client the pooled budget page and API tests share: the partners and their users loaded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from carepool.db.engine import Database
from carepool.web.app import create_app
from tests.integration.pooled_budget.builders import partners_and_users


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    partners_and_users(database)
    with TestClient(create_app(database=database)) as test_client:
        yield test_client
