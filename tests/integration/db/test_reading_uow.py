"""A reading unit of work (every GET) cannot write, and on SQLite it does not hold writers up."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import DBAPIError

from carepool.db import meta
from carepool.db.engine import Database


def test_the_database_refuses_a_write_in_a_reading_unit_of_work(database: Database) -> None:
    with database.uow(reads_only=True) as uow:
        assert meta.get(uow, "colour") is None
        meta.put(uow, "colour", "blue")
        with pytest.raises(DBAPIError):
            uow.commit()
    with database.uow() as uow:
        assert meta.get(uow, "colour") is None
        meta.put(uow, "colour", "green")
        uow.commit()
    with database.uow(reads_only=True) as uow:  # the same pooled connection writes again only when allowed
        assert meta.get(uow, "colour") == "green"


def test_a_writer_is_not_held_up_by_an_open_reading_unit_of_work(database: Database) -> None:
    with database.uow() as uow:
        meta.put(uow, "colour", "blue")
        uow.commit()
    with database.uow(reads_only=True) as reading:
        assert meta.get(reading, "colour") == "blue"
        started = time.monotonic()
        with database.uow() as writing:  # on SQLite the writer would wait 10 s (busy_timeout) behind a lock
            meta.put(writing, "colour", "green")
            writing.commit()
        assert time.monotonic() - started < 2
        reading.session.expire_all()
        assert meta.get(reading, "colour") == "blue"  # the reader keeps the snapshot it began with
    with database.uow(reads_only=True) as uow:
        assert meta.get(uow, "colour") == "green"
