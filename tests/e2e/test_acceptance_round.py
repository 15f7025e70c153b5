"""On a phone, after the demo's award: a provider that has not bid on a tender is told so, with no empty table of
bids; the savings split says in words why a member could not award alone, in a cell a few lines tall, and its groups'
reasons read in a few lines too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from carepool.demo import data

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
PROVIDER = "bids@1-107013579.demo"  # bid on the demo's home care tender, not on its reablement one


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, server_url: str, email: str, target: str) -> None:
    page.goto(f"{server_url}{target}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_provider_that_has_not_bid_reads_that_and_no_empty_table(phone: Page, server_url: str,
                                                                   demo_tender: str) -> None:
    """The demo's reablement tender takes bids; this provider has none on it (after the award, the page says "You did
    not bid on this tender.", and shows no result: tests/integration/procurement/test_acceptance_round.py)."""
    _sign_in(phone, server_url, PROVIDER, "/tenders")
    phone.get_by_role("row").filter(has_text="West London reablement at home 2026-2030").get_by_role("link").click()
    mine = phone.locator("section[aria-labelledby=mine]")
    expect(mine).to_contain_text("You have not bid on this tender yet.")
    expect(mine).not_to_contain_text("No bids yet")
    expect(phone.get_by_role("heading", name="Your result")).to_have_count(0)
    expect(phone.get_by_role("heading", name="Submit a sealed bid")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("Open for bids.")  # the description says what is bought


def test_the_split_says_why_in_words_in_cells_a_phone_can_read(phone: Page, server_url: str, demo_tender: str,
                                                                artifacts: Path) -> None:
    _sign_in(phone, server_url, "marcus@nwl-icb.demo", f"/tenders/{demo_tender}/savings-split")
    reasons = phone.locator("#alone-reasons")
    expect(reasons).to_contain_text("Hammersmith and Fulham cannot meet the 25% floor for small and medium providers "
                                    "on its own: its small providers could take at most")
    expect(phone.locator("main")).not_to_contain_text("min_sme_share")
    row = phone.locator("#split-table tbody tr").filter(has_text="Hammersmith and Fulham")
    cell = row.locator("td").nth(1)
    expect(cell.get_by_role("link", name="cannot meet the rules alone")).to_be_visible()
    assert (cell.bounding_box() or {"height": 0})["height"] < 120  # the reason is under the table, not in the cell
    phone.locator("#groups summary").click()
    group = phone.locator("#groups tbody tr").filter(has_text="counted at today's prices").first
    expect(group).to_contain_text("cannot meet the 25% floor for small and medium providers on its own")
    assert (group.bounding_box() or {"height": 999})["height"] < 200  # a few lines, not a column of words
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    phone.screenshot(path=str(artifacts / "procurement-savings-split-phone.png"), full_page=True)
