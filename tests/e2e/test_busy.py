"""A long-running form (the award) shows that it is working and cannot be sent twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page, expect

pytestmark = pytest.mark.e2e


def test_a_busy_form_shows_a_bar_and_is_sent_once(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    # The page stays put (a listener after busy.js stops the navigation) so it can be looked at while "busy".
    page.set_content(f"""<html><head><script src="{server_url}/static/busy.js"></script></head><body>
        <form method="post" action="/nowhere" data-busy="Running the award">
        <button type="submit">Run the award</button></form>
        <script>document.addEventListener("submit", (e) => e.preventDefault());</script></body></html>""")
    page.get_by_role("button", name="Run the award").click()
    expect(page.get_by_role("status")).to_have_text("Running the award")
    expect(page.locator("progress")).to_have_count(1)
    expect(page.get_by_role("button", name="Run the award")).to_be_disabled()
    page.evaluate("document.querySelector('form').requestSubmit()")  # a second send changes nothing
    expect(page.locator("progress")).to_have_count(1)


def test_a_form_that_cannot_be_undone_asks_first(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    page.set_content(f"""<html><head><script src="{server_url}/static/busy.js"></script></head><body>
        <form data-confirm="Confirm the award?" data-busy="Confirming"><button type="submit">Confirm</button></form>
        <script>document.addEventListener("submit", (e) => {{ if (!e.defaultPrevented) {{
          e.preventDefault(); document.body.dataset.sent = "yes"; }} }});</script></body></html>""")
    asked: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Confirm").click()
    assert asked == ["Confirm the award?"]
    expect(page.locator("progress")).to_have_count(0)  # said no: nothing sent, no busy bar
    assert page.evaluate("document.body.dataset.sent") is None
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("progress")).to_have_count(1)
    assert page.evaluate("document.body.dataset.sent") == "yes" and len(asked) == 2


def test_a_page_that_comes_back_with_a_problem_puts_the_focus_on_it(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    page.get_by_label("Email").fill("nobody@nowhere.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # the keyboard and a screen reader start at what went wrong



def test_a_standing_warning_does_not_take_the_focus(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    page.set_content(f"""<html><head><script src="{server_url}/static/busy.js"></script></head><body>
        <a href="#">first link</a><div class="error-summary" role="alert"><h2>Check these figures</h2></div>
        </body></html>""")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement === document.body")  # every visit to the pool shows it
