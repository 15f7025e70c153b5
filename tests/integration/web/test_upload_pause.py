"""While an upload is read, the request's transaction (which has only looked up who is asking) is ended, so a
writer elsewhere (someone signing in) is not held up by SQLite's write lock for the length of the read."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import UploadFile
from sqlalchemy import func, select

from carepool.db.engine import Database
from carepool.partners.tables import SignInAttemptRow
from carepool.web.uploads import read_upload


def test_another_writer_is_not_held_up_while_an_upload_is_read(database: Database) -> None:
    def write_elsewhere(path: Path) -> str:
        with database.uow() as other:  # another request, writing while this file is read
            other.session.add(SignInAttemptRow(at=datetime.now(UTC), action="a", email="e", client="c"))
            other.commit()
        return path.read_text()

    with database.uow() as uow:
        uow.session.execute(select(func.count()).select_from(SignInAttemptRow))  # who is asking: a read
        upload = UploadFile(io.BytesIO(b"code,name\n"), filename="partners.csv")
        assert read_upload(upload, write_elsewhere, uow=uow) == "code,name\n"
        assert uow.session.execute(select(func.count()).select_from(SignInAttemptRow)).scalar_one() == 1


def test_a_unit_of_work_with_changes_does_not_pause(database: Database) -> None:
    with database.uow() as uow, pytest.raises(RuntimeError, match="cannot pause"):
        uow.session.add(SignInAttemptRow(at=datetime.now(UTC), action="a", email="e", client="c"))
        uow.pause()
