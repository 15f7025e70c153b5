"""API answers and plotly.js travel compressed to a browser that accepts gzip, and as they are to one that does
not; pages, which hold the CSRF token, are never compressed (BREACH)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from carepool.db.engine import Database
from carepool.web.app import create_app
from carepool.web.charts import PLOTLY_JS_URL, plotly_js_path


def test_plotly_and_pages_are_sent_gzipped_when_the_browser_accepts_it(database: Database) -> None:
    with TestClient(create_app(database=database)) as client:
        raw = plotly_js_path().read_bytes()
        packed = client.get(PLOTLY_JS_URL, headers={"Accept-Encoding": "gzip, deflate"})
        assert packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
        assert packed.content == raw  # the client unpacks it: the same file
        assert int(packed.headers["content-length"]) < len(raw) / 3
        plain = client.get(PLOTLY_JS_URL, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == raw
        assert plain.headers["cache-control"] == packed.headers["cache-control"] == "public, max-age=86400"
        docs = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
        assert docs.headers["content-encoding"] == "gzip" and docs.json()["info"]["title"] == "carepool API"
        page = client.get("/login", headers={"Accept-Encoding": "gzip"})  # a page holds the CSRF token: as it is
        assert "content-encoding" not in page.headers and "Sign in" in page.text
