"""Priya proposes the Better Care Fund pool, Marcus accepts it for the ICB, and Priya imports both ledgers'
exports and sees her schemes and a chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from carepool.db.engine import Database
from carepool.demo import data
from carepool.pooled_budget import demo as pool_demo
from carepool.pooled_budget.demo import BRENT, ICB, YEAR, agreement_json, monthly_figures
from carepool.pooled_budget.monthly_io import write_figures

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_priya_opens_the_pool_and_sees_schemes_and_a_chart(page: Page, server_url: str, artifacts: Path,
                                                         tmp_path: Path) -> None:
    agreement = tmp_path / "brent-bcf-2025-26.json"
    agreement.write_text(json.dumps(agreement_json()), encoding="utf-8")
    figures = [f for f in monthly_figures() if f.month <= 9]
    brent, icb = tmp_path / "brent-ledger.xlsx", tmp_path / "nwl-icb-ledger.csv"
    write_figures(brent, [f for f in figures if f.source == BRENT], YEAR)
    write_figures(icb, [f for f in figures if f.source == ICB], YEAR)

    _sign_in(page, f"{server_url}/pool", "priya@brent.demo")
    expect(page.get_by_role("heading", name="Pooled budgets")).to_be_visible()
    page.get_by_label("Agreement file (.json or .xlsx)").set_input_files(str(agreement))
    page.get_by_role("button", name="Check and add the agreement").click()
    expect(page.get_by_role("heading", name="Brent Better Care Fund pooled budget")).to_be_visible()
    # proposed by Brent: it takes effect when the ICB has accepted it too
    waiting = page.get_by_role("heading", name="Proposed: waiting for NHS North West London ICB to agree")
    expect(waiting).to_be_visible()
    expect(page.get_by_role("button", name="Accept for London Borough of Brent")).to_have_count(0)
    pool_page = page.url
    page.screenshot(path=str(artifacts / "pooled-budget-proposed.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, pool_page, "marcus@nwl-icb.demo")
    asked: list[str] = []  # accepting cannot be undone: the page asks first, saying what will happen

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Accept for NHS North West London ICB").click()
    expect(page.get_by_role("status")).to_contain_text("Every partner has: it is now active.")
    expect(waiting).to_have_count(0)
    assert asked and "cannot be undone" in asked[0] and "every partner's contribution falls due" in asked[0]
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, pool_page, "priya@brent.demo")

    page.get_by_role("link", name="Monthly monitoring", exact=True).click()
    page.get_by_label("Files (.csv or .xlsx").set_input_files([str(brent), str(icb)])
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_contain_text("0 corrected")

    page.get_by_role("link", name="Overview", exact=True).click()
    schemes = page.locator("#schemes")
    for name in ("Reablement", "Community equipment", "Learning disability placements", "Carers support",
                 "Discharge to assess"):
        expect(schemes).to_contain_text(name)
    expect(page.get_by_text("figures as at Dec 2025")).to_be_visible()
    expect(page.locator("figure.chart .js-plotly-plot")).to_be_visible()
    expect(page.locator("#partners")).to_contain_text("NHS North West London ICB")
    page.screenshot(path=str(artifacts / "pooled-budget.png"), full_page=True)

    # a year of months is wider than the screen: the month table scrolls in its own box, the page does not
    page.get_by_role("link", name="Monthly monitoring", exact=True).click()
    expect(page.locator("#monthly")).to_contain_text("Mar 2026")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 1280, f"the monitoring page is {page_width}px wide at 1280px: it scrolls sideways"
    box = page.locator(".table-scroll:has(#monthly)")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth && getComputedStyle(el).overflowX === 'auto'")
    page.screenshot(path=str(artifacts / "pooled-budget-monitoring.png"), full_page=True)


def test_wide_pool_tables_scroll_in_their_own_box_at_a_desktop_width(page: Page, server_url: str,
                                                                     e2e_database: Database,
                                                                     tmp_path: Path) -> None:
    """At 1280px the overview's schemes table (wider than the 1200px main column) scrolls inside its own box, as
    the monthly table does: no table sticks out of the main column. The demo's pool, settled."""
    pool = pool_demo.run(e2e_database, tmp_path).agreement_id
    _sign_in(page, f"{server_url}/pool/{pool}", "priya@brent.demo")
    expect(page.locator("#schemes")).to_be_visible()
    for path in ("", "/monitoring", "/variations", "/settlement"):
        page.goto(f"{server_url}/pool/{pool}{path}")
        sticking_out = page.evaluate("""() => {
            const main = document.querySelector('main').getBoundingClientRect();
            return [...document.querySelectorAll('main table')].filter(t => {
                const box = t.closest('.table-scroll') || t;
                return box.getBoundingClientRect().right > main.right + 0.5;
            }).map(t => t.id || t.className);
        }""")
        assert sticking_out == [], f"/pool/{pool}{path}: {sticking_out} wider than the main column"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"/pool/{pool}{path} is {width}px wide at 1280px"
    page.goto(f"{server_url}/pool/{pool}")
    assert page.locator(".table-scroll:has(#schemes)").count() == 1
