"""Uploaded files handed to the readers that take a path, under the names the user chose.

Each upload is saved in its own folder, so two files with the same name (two ledgers'
``export.xlsx``) stay two files, and every message a reader gives names the file the user
picked. The folders are removed when the reading is done.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from fastapi import UploadFile

from carepool.core.errors import CarepoolError

T = TypeVar("T")


def upload_name(upload: UploadFile) -> str:
    """The file name the user chose, without any folder a browser may send ("upload" if nothing is left)."""
    name = Path(upload.filename or "").name
    return name if name not in {"", ".", ".."} else "upload"


@contextmanager
def saved_uploads(uploads: Iterable[UploadFile]) -> Iterator[list[Path]]:
    """The uploads as files (those sent without a name are skipped), for the life of the ``with``."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, upload in enumerate(u for u in uploads if u.filename):
            path = Path(folder) / str(number) / upload_name(upload)
            path.parent.mkdir()
            path.write_bytes(upload.file.read())
            paths.append(path)
        yield paths


def read_upload(upload: UploadFile, read: Callable[[Path], T]) -> T:
    """What ``read`` makes of one uploaded file."""
    with saved_uploads([upload]) as paths:
        if not paths:
            raise CarepoolError("no file was chosen: choose a file to upload")
        return read(paths[0])
