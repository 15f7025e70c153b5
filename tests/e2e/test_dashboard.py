from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from carepool.demo import data

pytestmark = pytest.mark.e2e


def sign_in(page: Page, server_url: str, email: str) -> None:
    page.goto(f"{server_url}/")
    expect(page).to_have_url(f"{server_url}/login?next=/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_see_the_six_boroughs(page: Page, server_url: str, artifacts: Path) -> None:
    sign_in(page, server_url, "priya@brent.demo")
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()
    table = page.get_by_role("table")
    for borough in data.BOROUGHS:
        expect(table.get_by_role("link", name=borough.name)).to_be_visible()
    expect(page.get_by_text("Priya Shah · London Borough of Brent")).to_be_visible()
    expect(table.locator("tfoot")).to_contain_text("1,745,400")
    expect(table.locator("tfoot td").last).to_have_text("30,725")  # aged 85+, summed like the rest
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)


def test_wrong_password_is_told_plainly(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_label("Email").fill("priya@brent.demo")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email or password not recognised")


def test_partner_directory_and_own_users(page: Page, server_url: str, artifacts: Path) -> None:
    sign_in(page, server_url, "priya@brent.demo")
    page.get_by_role("link", name="Partners").click()
    page.get_by_label("Show").select_option("provider")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table")).to_contain_text("40 organisations")
    page.goto(f"{server_url}/partners/E09000005")
    expect(page.get_by_role("table").nth(1)).to_contain_text("cllr.hughes@brent.demo")
    page.goto(f"{server_url}/partners/E09000009")
    expect(page.get_by_text("cllr.hughes@brent.demo")).to_have_count(0)
    page.screenshot(path=str(artifacts / "partners.png"), full_page=True)
