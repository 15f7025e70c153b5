"""Uploaded files handed to the readers that take a path, under the names the user chose.

Each upload is saved in its own folder, so two files with the same name (two ledgers'
``export.xlsx``) stay two files, and every message a reader gives names the file the user
picked. The folders are removed when the reading is done.

A file is copied in chunks and refused as soon as it passes ``MAX_UPLOAD_BYTES``; a workbook (a
zip archive) is then checked by ``core.workbook_archive.check_workbook_archive`` before any reader opens it,
so a zip bomb is refused from its directory, whoever reads it. The app refuses a request body over
``MAX_REQUEST_BYTES`` (a few files at the limit) while it arrives, before anything is stored.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from fastapi import UploadFile

from carepool.core.errors import CarepoolError
from carepool.core.workbook_archive import check_workbook_archive
from carepool.db.uow import UnitOfWork

T = TypeVar("T")

MAX_UPLOAD_BYTES = 10 * 2**20  # one file: a table people edit by hand is far smaller
MAX_REQUEST_BYTES = 50 * 2**20  # one request, all its files and fields together
_CHUNK = 2**20


def upload_name(upload: UploadFile) -> str:
    """The file name the user chose, without any folder a browser may send ("upload" if nothing is left)."""
    name = Path(upload.filename or "").name
    return name if name not in {"", ".", ".."} else "upload"


def _save(upload: UploadFile, path: Path) -> None:
    """Copy the upload to ``path`` a chunk at a time, stopping as soon as it is over the limit."""
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise CarepoolError(f"{path.name}: the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB, the most "
                                    "carepool takes in one upload; split it into smaller files", kind="too_large")
            out.write(chunk)
    if zipfile.is_zipfile(path):  # a workbook: refuse a zip bomb from its directory, whoever reads it
        with suppress(zipfile.BadZipFile, OSError, ValueError):  # not a zip after all: the reader will say so
            check_workbook_archive(path, scan=False)  # the readers in core.tabular scan its XML too


@contextmanager
def saved_uploads(uploads: Iterable[UploadFile]) -> Iterator[list[Path]]:
    """The uploads as files (those sent without a name are skipped), for the life of the ``with``."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, upload in enumerate(u for u in uploads if u.filename):
            path = Path(folder) / str(number) / upload_name(upload)
            path.parent.mkdir()
            _save(upload, path)
            paths.append(path)
        yield paths


def read_upload(upload: UploadFile, read: Callable[[Path], T], *, uow: UnitOfWork | None = None) -> T:
    """What ``read`` makes of one uploaded file. With the request's ``uow``, which has only read so far (who
    is asking, may they), its transaction is ended first, so SQLite's writers are not held up while the file
    is read (``UnitOfWork.pause``)."""
    if uow is not None:
        uow.pause()
    with saved_uploads([upload]) as paths:
        if not paths:
            raise CarepoolError("no file was chosen: choose a file to upload")
        return read(paths[0])
