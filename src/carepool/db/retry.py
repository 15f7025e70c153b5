"""Run a unit of work again when PostgreSQL reports a serialization failure or deadlock."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.db.uow import UnitOfWork

T = TypeVar("T")
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _retryable(error: Exception) -> bool:
    if isinstance(error, DBAPIError):
        state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return state in RETRYABLE_SQLSTATES or "database is locked" in str(error.orig)
    return isinstance(error, CarepoolError) and error.kind == "conflict" and "concurrently" in error.message


def in_transaction(database: Database, work: Callable[[UnitOfWork], T], *, attempts: int = 8) -> T:
    """Run ``work`` in a fresh unit of work and commit it, retrying transient conflicts."""
    for attempt in range(1, attempts + 1):
        try:
            with database.uow() as uow:
                result = work(uow)
                uow.commit()
                return result
        except Exception as error:
            if attempt == attempts or not _retryable(error):
                raise
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")
