"""Marcus, the ICB's finance lead, opens the demo tender's savings split: what each member would have saved alone,
the proportional, Shapley and nucleolus splits, whether any group would do better alone; he downloads it and works
it out again."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from carepool.demo import data

pytestmark = pytest.mark.e2e


def test_marcus_reads_the_split_downloads_it_and_works_it_out_again(page: Page, server_url: str, demo_tender: str,
                                                                    artifacts: Path, tmp_path: Path) -> None:
    page.goto(f"{server_url}/tenders/{demo_tender}")
    page.get_by_label("Email").fill("marcus@nwl-icb.demo")
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Savings split").click()
    expect(page.get_by_role("heading", name="Splitting the saving among the members")).to_be_visible()
    verdicts = page.locator("#verdicts")
    expect(verdicts).to_contain_text("Under the Shapley split,")
    expect(verdicts).to_contain_text("Under the split proportional to spend,")
    expect(verdicts).to_contain_text("The nucleolus comes closest.")  # the demo's core is empty
    table = page.locator("#split-table")
    expect(table.get_by_role("row", name="NHS North West London ICB")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()  # the chart drew, with plotly.js served locally
    page.screenshot(path=str(artifacts / "procurement-savings-split.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{demo_tender}-savings-split.xlsx"
    book = openpyxl.load_workbook(saved)
    assert book.sheetnames == ["Split", "Groups alone", "Verdicts"]
    assert len(list(book["Groups alone"].iter_rows())) == 128  # header, 126 groups run, the whole consortium
    page.get_by_role("button", name="Work it out again").click()
    # the 126 awards run in the background (about 10 s); the page shows a bar moving as they finish
    expect(page.get_by_text("Working out the split: every group of members' award is running.")).to_be_visible()
    running = page.locator("#split-job")
    expect(running.get_by_role("status")).to_contain_text("groups' awards run")
    expect(page.get_by_role("button", name="Work it out again")).to_have_count(0)  # not twice at once
    expect(running.locator("progress")).to_have_attribute("max", "126", timeout=30_000)
    running.screenshot(path=str(artifacts / "procurement-savings-split-running.png"))
    expect(page.get_by_text("126 groups' awards in")).to_be_visible(timeout=120_000)  # reloaded when done
    expect(running).to_have_count(0)
    expect(page.locator("#split-table")).to_be_visible()
