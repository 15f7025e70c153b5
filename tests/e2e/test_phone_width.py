"""On a phone (390 px wide) the page never grows wider than the screen: wide tables scroll in their own box."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from carepool.demo import data

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
TABLE_HEAVY_PAGES = ["/", "/partners", "/partners/E09000005", "/audit"]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_label("Email").fill("priya@brent.demo")
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()


def test_table_pages_fit_a_phone_and_their_tables_scroll_inside(phone: Page, server_url: str, demo_tender: str,
                                                              artifacts: Path) -> None:
    _sign_in(phone, server_url)
    for path in [*TABLE_HEAVY_PAGES, f"/tenders/{demo_tender}/savings-split"]:
        phone.goto(f"{server_url}{path}")
        expect(phone.get_by_role("table").first).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"{path} is {width} px wide on a {PHONE['width']} px phone"
    # The dashboard's population table is wider than the phone: its own box scrolls, so no column is lost.
    phone.goto(f"{server_url}/")
    table = phone.get_by_role("table").first
    overflow = table.evaluate("t => [getComputedStyle(t).overflowX, t.scrollWidth > t.clientWidth]")
    assert overflow == ["auto", True]
    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert table.evaluate("t => t.scrollLeft") > 0
    phone.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)


def test_tables_look_the_same_on_a_desktop(page: Page, server_url: str) -> None:
    _sign_in(page, server_url)
    table = page.get_by_role("table").first
    assert table.evaluate("t => [getComputedStyle(t).display, getComputedStyle(t).overflowX]") == ["table", "visible"]
