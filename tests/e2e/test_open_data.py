"""A journalist, never signed in, finds the open data from the sign-in page and downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_the_public_downloads_contracts_and_the_register(page: Page, server_url: str, tmp_path: Path) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_role("link", name="Open data").click()
    expect(page.get_by_role("heading", name="Open data")).to_be_visible()
    with page.expect_download() as register:
        page.get_by_role("link", name="The pooled budget register (CSV)").click()
    saved = tmp_path / "register.csv"
    register.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").startswith("year,agreement_id,agreement,host_code")
    page.get_by_role("link", name="Tenders and contracts awarded").click()
    expect(page.get_by_role("table", name="Tenders")).to_be_visible()
    with page.expect_download() as contracts:
        page.get_by_role("link", name="Download the contracts awarded (CSV)").click()
    assert contracts.value.suggested_filename == "contracts-awarded.csv"
