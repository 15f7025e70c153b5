"""Validate OCDS JSON with libcoveocds (the official validator), offline.

libcoveocds fetches the standard and each extension over HTTP. Here the standard comes
from a ZIP built from ``tests/fixtures/ocds/standard`` and the lots extension is served
from ``tests/fixtures/ocds/lots_extension`` at its official URL (see that folder's README).
``CAREPOOL_OCDS_ONLINE=1`` validates against the live files instead.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter
from urllib3 import HTTPResponse

from carepool.procurement.ocds import LOTS_EXTENSION

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"


class _LocalFiles(BaseAdapter):
    """Answers GETs under one URL prefix from a local folder (404 for anything missing)."""

    def __init__(self, prefix: str, folder: Path) -> None:
        super().__init__()
        self.prefix, self.folder = prefix, folder

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:
        path = self.folder / str(request.url)[len(self.prefix):]
        found = path.is_file()
        raw = HTTPResponse(body=io.BytesIO(path.read_bytes() if found else b""), status=200 if found else 404,
                           reason="OK" if found else "Not Found", preload_content=False,
                           request_url=str(request.url), headers={"Content-Type": "application/octet-stream"})
        response = requests.Response()
        response.status_code, response.reason, response.raw = raw.status, raw.reason, raw
        response.headers = requests.structures.CaseInsensitiveDict(raw.headers)
        response.url, response.request = str(request.url), request
        return response

    def close(self) -> None:
        pass


def _closed_codelists(schema: Any, found: dict[str, list[str]]) -> dict[str, list[str]]:
    """Closed codelists are spelled out as ``enum`` in the release schema: write them as CSV codes."""
    if isinstance(schema, dict):
        if "codelist" in schema and not schema.get("openCodelist", False):
            enum = schema.get("enum") or schema.get("items", {}).get("enum") or []
            found[schema["codelist"]] = [code for code in enum if code is not None]
        for value in schema.values():
            _closed_codelists(value, found)
    elif isinstance(schema, list):
        for value in schema:
            _closed_codelists(value, found)
    return found


def standard_zip(folder: Path) -> Path:
    """The standard as libcoveocds expects its GitHub ZIP: ``<top>/schema/...`` and ``<top>/schema/codelists/``."""
    schema_dir = FIXTURES / "standard" / "schema"
    path = folder / "standard-1__1__5.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for file in sorted(schema_dir.glob("*.json")):
            archive.write(file, f"standard-1__1__5/schema/{file.name}")
        for file in sorted((schema_dir / "codelists").glob("*.csv")):
            archive.write(file, f"standard-1__1__5/schema/codelists/{file.name}")
        release = json.loads((schema_dir / "release-schema.json").read_text(encoding="utf-8"))
        for name, codes in _closed_codelists(release, {}).items():
            archive.writestr(f"standard-1__1__5/schema/codelists/{name}", "Code\n" + "".join(f"{c}\n" for c in codes))
    return path


STANDARD = "https://standard.open-contracting.org/schema/1__1__5/"


class _Requests:
    """Stands in for ``requests`` inside jsonref, which fetches ``$ref``s to the standard's schemas."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.mount(STANDARD, _LocalFiles(STANDARD, FIXTURES / "standard" / "schema"))

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.session.get(url, **kwargs)


def _extension_zip_folder(folder: Path) -> Path:
    """A folder holding ``v1.1.5.zip`` of the stand-in lots extension, laid out like GitHub's archive."""
    folder.mkdir(parents=True, exist_ok=True)
    version = LOTS_EXTENSION.rstrip("/").split("/")[-2]
    with zipfile.ZipFile(folder / f"{version}.zip", "w") as archive:
        top = f"ocds_lots_extension-{version.lstrip('v')}/"
        archive.writestr(top, "")
        for file in sorted((FIXTURES / "lots_extension").iterdir()):
            archive.write(file, top + file.name)
    return folder


@contextmanager
def offline(work: Path) -> Iterator[None]:
    import jsonref
    from ocdsextensionregistry.util import session

    # ocdsextensionregistry reads a GitHub-hosted extension from its repository's ZIP archive
    prefix = "https://github.com/open-contracting-extensions/ocds_lots_extension/archive/"
    session.mount(prefix, _LocalFiles(prefix, _extension_zip_folder(work / "extension")))
    real = jsonref.requests
    jsonref.requests = _Requests()
    try:
        yield
    finally:
        session.adapters.pop(prefix, None)
        jsonref.requests = real


def validate(path: Path, work: Path) -> dict[str, Any]:
    """libcoveocds' report on one file (a release or record package)."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    work.mkdir(parents=True, exist_ok=True)
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    if os.environ.get("CAREPOOL_OCDS_ONLINE") != "1":
        config.config["standard_zip"] = standard_zip(work).as_uri()
        with offline(work):
            return ocds_json_output(str(work), str(path), lib_cove_ocds_config=config)
    return ocds_json_output(str(work), str(path), lib_cove_ocds_config=config)
