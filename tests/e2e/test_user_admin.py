"""Brent's admin deactivates a colleague who has left, on the organisation's page: asked first, and the leaver's
open session ends at once."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from carepool.db.engine import Database
from carepool.demo import data
from carepool.partners import access

pytestmark = pytest.mark.e2e

LEAVER = "leaver@brent.demo"


def _sign_in(page: Page, server_url: str, email: str) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_deactivates_a_colleague_who_has_left(page: Page, browser: Browser, server_url: str,
                                                       e2e_database: Database, artifacts: Path) -> None:
    with e2e_database.uow() as uow:  # a colleague of its own, so the demo's people stay as they are
        access.create_user(uow=uow, actor="test", email=LEAVER, name="Lee Leaver", organisation_code="E09000005",
                           roles=["finance"], password=data.DEMO_PASSWORD)
    leaver = browser.new_context().new_page()
    _sign_in(leaver, server_url, LEAVER)
    expect(leaver.get_by_text("Lee Leaver · London Borough of Brent")).to_be_visible()

    _sign_in(page, server_url, "priya@brent.demo")
    page.goto(f"{server_url}/partners/E09000005")
    row = page.get_by_role("row").filter(has_text=LEAVER)
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    row.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("Lee Leaver (leaver@brent.demo) is deactivated")
    assert asked and asked[0].startswith("Deactivate Lee Leaver")
    expect(page.get_by_role("row").filter(has_text=LEAVER)).to_contain_text("Deactivated")
    page.screenshot(path=str(artifacts / "users-deactivated.png"), full_page=True)

    leaver.reload()
    expect(leaver).to_have_url(f"{server_url}/login?next=/")
    _sign_in(leaver, server_url, LEAVER)
    expect(leaver.get_by_role("alert")).to_contain_text("or the account has been deactivated")
    leaver.context.close()
