"""Tom bids on a lot in the browser and keeps his receipt; Aisha sees only that one sealed bid arrived."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from carepool.demo import data
from tests.integration.helpers import sign_in as sign_in_api

pytestmark = pytest.mark.e2e
HF, BRENT = "E09000013", "E09000005"


def _published_tender(server_url: str) -> str:
    """Aisha's team sets up a small tender through the API (signed in with her session)."""
    with httpx.Client(base_url=server_url) as client:
        sign_in_api(client, "aisha@lbhf.demo", data.DEMO_PASSWORD)
        consortium = client.post("/api/procurement/consortia", json={
            "name": f"Home care pilot {uuid.uuid4().hex[:6]}", "members": [BRENT]}).json()
    with httpx.Client(base_url=server_url) as brent:  # Brent's commissioner accepts the invitation
        sign_in_api(brent, "priya@brent.demo", data.DEMO_PASSWORD)
        assert brent.post(f"/api/procurement/consortia/{consortium['id']}/accept").status_code == 200
    with httpx.Client(base_url=server_url) as client:
        sign_in_api(client, "aisha@lbhf.demo", data.DEMO_PASSWORD)
        demand = (b"member_code,service,locality_code,hours_per_week,baseline_price\n"
                  b"E09000013,home-care,HF-NORTH,420,24.90\nE09000005,home-care,BRENT-KIL,650,23.40\n")
        imported = client.post(f"/api/procurement/consortia/{consortium['id']}/demand",
                               files={"file": ("demand.csv", demand, "text/csv")})
        assert imported.status_code == 200, imported.text
        lots = client.post(f"/api/procurement/consortia/{consortium['id']}/lots").json()
        deadline = (datetime.now(UTC) + timedelta(days=10)).isoformat()
        tender = client.post("/api/procurement/tenders", json={
            "consortium_id": consortium["id"], "title": "Home care pilot", "lot_ids": [lot["id"] for lot in lots],
            "rules": {"max_share": "0.6", "min_sme_share": "0.25"}, "deadline": deadline}).json()
        published = client.post(f"/api/procurement/tenders/{tender['ref']}/publish")
        assert published.status_code == 200, published.text
        return tender["ref"]


def sign_in(page: Page, server_url: str, email: str, target: str) -> None:
    page.goto(f"{server_url}{target}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_tom_bids_and_keeps_his_receipt_aisha_sees_only_a_count(page: Page, server_url: str, artifacts: Path) -> None:
    ref = _published_tender(server_url)
    sign_in(page, server_url, "tom@kindlycare.demo", "/tenders")
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_role("heading", name="Submit a sealed bid")).to_be_visible()
    page.get_by_label("Lot", exact=True).select_option("HC-HF-NORTH")
    page.get_by_label("Price per hour (£)").fill("23.65")
    page.get_by_label("Method statement quality score (0-100)").fill("81")
    page.get_by_label("Most hours a week you will take on this lot").fill("300")
    page.get_by_label("Hours a week you can take across the whole tender").fill("450")
    page.get_by_role("button", name="Seal and submit bid").click()
    receipt = page.locator("#receipt-box")
    expect(receipt).to_contain_text("Bid")
    expect(receipt).to_contain_text("HC-HF-NORTH")
    digest = receipt.locator("code.hash").inner_text()
    assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
    page.screenshot(path=str(artifacts / "procurement-receipt.png"), full_page=True)
    page.goto(f"{server_url}/tenders/my-bids")
    expect(page.get_by_role("table")).to_contain_text(digest)
    expect(page.get_by_role("table")).to_contain_text("£23.65")
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone the hash is two lines of 32, not nine
    lines = page.locator("code.hash").first.evaluate(
        "c => c.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight)")
    assert lines < 2.5, f"the hash takes {lines:.1f} lines on a phone"

    page.context.clear_cookies()
    sign_in(page, server_url, "aisha@lbhf.demo", f"/tenders/{ref}")
    expect(page.locator("#sealed-count")).to_contain_text("1 sealed bid")
    expect(page.get_by_text("£23.65")).to_have_count(0)
    assert "23.65" not in page.content() and digest not in page.content()
    page.screenshot(path=str(artifacts / "procurement-sealed.png"), full_page=True)


def test_tom_bids_on_both_lots_from_the_bid_workbook(page: Page, server_url: str, tmp_path: Path) -> None:
    ref = _published_tender(server_url)
    sign_in(page, server_url, "tom@kindlycare.demo", f"/tenders/{ref}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the bid workbook").click()
    workbook = tmp_path / "tom-bids.xlsx"
    download.value.save_as(workbook)
    book = openpyxl.load_workbook(workbook)
    for row in book["Bids"].iter_rows(min_row=2):
        row[3].value, row[4].value = 22.85, 79  # price an hour, quality
    book.save(workbook)
    page.get_by_label("Bid workbook").set_input_files(str(workbook))
    page.get_by_role("button", name="Seal and submit every bid").click()
    expect(page.get_by_role("heading", name="Your receipts")).to_be_visible()
    expect(page.locator("section[aria-labelledby=receipts] code.hash")).to_have_count(2)


def test_aisha_starts_a_consortium_priya_joins_and_both_see_it_in_its_history(page: Page, server_url: str) -> None:
    name = f"North West pilot {uuid.uuid4().hex[:6]}"
    sign_in(page, server_url, "aisha@lbhf.demo", "/tenders")
    page.get_by_text("Start a consortium led by").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("London Borough of Brent").check()
    page.get_by_role("button", name="Start the consortium").click()
    expect(page.get_by_text(f"{name} is started")).to_be_visible()
    expect(page.locator("summary", has_text="Invited, yet to answer: 1")).to_be_visible()
    plan = page.url
    page.context.clear_cookies()
    sign_in(page, server_url, "priya@brent.demo", "/tenders")
    page.on("dialog", lambda dialog: dialog.accept())  # "Join …? Its lead can then state your demand"
    page.locator("li", has_text=name).get_by_role("button", name="Join").click()
    expect(page.get_by_text(f"has joined {name}")).to_be_visible()
    page.goto(f"{plan}/history")
    expect(page.locator("td", has_text="Consortium: joined")).to_be_visible()
    expect(page.locator("td", has_text="Consortium: created")).to_be_visible()
