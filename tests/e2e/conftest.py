"""A real server on a free port, loaded with the demo, and Debian's chromium to drive it."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from carepool.db.engine import Database
from carepool.demo import service as demo
from carepool.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).parent / "artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'carepool.db'}")
    demo.reset_database(database, force=False)
    demo.load_partners(database)
    demo.load_users(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_tender(e2e_database: Database, server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo's joint home care tender, awarded and split (about 20 s, so only for the tests that ask)."""
    from carepool.procurement import demo as procurement_demo

    return procurement_demo.run(e2e_database, tmp_path_factory.mktemp("demo-output")).ref


@pytest.fixture(scope="session")
def server_url(e2e_database: Database) -> Iterator[str]:
    database = e2e_database
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(database=database), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the web server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (make test installs it: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make test`'s workers, every browser test runs in one worker, so the demo is loaded and chromium
    started once (a conftest hook sees every test collected, so only those marked e2e are grouped)."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))
