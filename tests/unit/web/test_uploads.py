from io import BytesIO
from pathlib import Path

import pytest
from fastapi import UploadFile

from carepool.core.errors import CarepoolError
from carepool.web.uploads import read_upload, saved_uploads, upload_name


def _upload(name: str, body: bytes) -> UploadFile:
    return UploadFile(BytesIO(body), filename=name)


def test_files_with_one_name_stay_apart_and_are_gone_afterwards() -> None:
    uploads = [_upload("export.csv", b"ledger one"), _upload("", b""), _upload("C:\\fakepath/export.csv", b"two")]
    with saved_uploads(uploads) as paths:
        assert [p.name for p in paths] == ["export.csv", "export.csv"]
        assert [p.read_bytes() for p in paths] == [b"ledger one", b"two"]
        folders = {p.parent for p in paths}
    assert len(folders) == 2 and not any(folder.exists() for folder in folders)


def test_a_reader_sees_the_name_the_user_chose() -> None:
    assert read_upload(_upload("demand.xlsx", b"x"), lambda path: path.name) == "demand.xlsx"
    assert upload_name(_upload("some/where/demand.xlsx", b"")) == "demand.xlsx"
    assert [upload_name(_upload(name, b"")) for name in (".", "..", "a/..")] == ["upload"] * 3  # never a folder
    with pytest.raises(CarepoolError, match="no file was chosen"):
        read_upload(_upload("", b""), Path.read_bytes)
