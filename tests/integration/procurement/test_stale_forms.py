"""What a browser walk of the tender page found: a form refused because a colleague changed the tender (or the award)
first came back ready to save its stale values over the colleague's change; an empty panel score left the page for
a generic error; the award's "Today" column read as a monopoly when members named providers for part of the value."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from carepool.core.money import percent
from carepool.partners.service import Located
from carepool.procurement import evaluation, opening, reports, tendering
from carepool.procurement import service as procurement
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import BRENT, LARGE_C, SME_A, World, bearer, demand, run, usual_bids

LEAD = "proc@hf.test"


class _Form(HTMLParser):
    """The fields a browser would send from the form posting to ``action`` (inputs anywhere carrying
    ``form="<its id>"`` included), as the page fills them in."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.form_id, self.textarea = action, False, None, None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action") == self.action:
            self.inside, self.form_id = True, a.get("id")
        mine = self.inside or (self.form_id is not None and a.get("form") == self.form_id)
        if tag == "input" and mine and "name" in a:
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea" and mine:
            self.textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None


def form_on(page: str, action: str) -> dict[str, str]:
    """What pressing the form's button sends, as the page filled the form in."""
    parser = _Form(action)
    parser.feed(page)
    assert parser.fields, f"no form posting to {action} on the page"
    return {k: v for k, v in parser.fields.items() if k != "csrf_token"}  # the client sends it as a header


def _view(world: World, ref: str) -> tendering.TenderView:
    with world.db.uow() as uow:
        return tendering.get_tender(uow=uow, caller=world.caller(LEAD), ref=ref)


def _problem(page: str) -> str:
    found = re.search(r"<h2>There is a problem</h2><p[^>]*>(.*?)</p>", page, re.S)
    assert found is not None, "the page says no problem"
    return html.unescape(found.group(1))


def test_an_edit_refused_as_stale_comes_back_on_the_tender_as_it_is_and_cannot_undo_the_other_change(
        world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        tab_a = form_on(browser.get(f"/tenders/{ref}").text, f"/tenders/{ref}/edit")
        tab_b = dict(tab_a)  # the same form, open in a second tab
        saved = browser.post(f"/tenders/{ref}/edit", data={**tab_a, "min_quality": "65"}).text
        assert "Tender changed. 1 submitted bid was invalidated" in saved
        after_a = _view(world, ref)
        refused = browser.post(f"/tenders/{ref}/edit", data={**tab_b, "title": "Home care 2026/27"}).text
        said = _problem(refused)
        again = form_on(refused, f"/tenders/{ref}/edit")
        resent = browser.post(f"/tenders/{ref}/edit", data=again).text  # Save pressed again, as the form came back
    assert f"Tender {ref} was changed by someone else after you opened it: nothing was saved." in said
    assert "They changed: Quality floor (now “65.00”)" in said
    assert ("Your changes are back in the form, on the tender as it is now, not saved yet: Title "
            "“Home care 2026/27”.") in said
    assert again["min_quality"] == "65.00" and again["title"] == "Home care 2026/27"  # theirs, and yours on it
    assert again["based_on"] == after_a.edit_token
    assert "Changed by someone else since you opened the page" in refused
    assert "Your change, put back on the tender as it is now: not saved yet" in refused
    assert "Tender changed." in resent
    now = _view(world, ref)
    assert now.rules.min_quality == Decimal(65) and now.title == "Home care 2026/27"  # both changes stand


def test_a_field_both_changed_comes_back_as_the_other_made_it_and_says_what_was_typed(world: World) -> None:
    ref = world.tender()
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        tab = form_on(browser.get(f"/tenders/{ref}").text, f"/tenders/{ref}/edit")
        browser.post(f"/tenders/{ref}/edit", data={**tab, "min_quality": "65"})
        refused = browser.post(f"/tenders/{ref}/edit", data={**tab, "min_quality": "70"}).text
        again = form_on(refused, f"/tenders/{ref}/edit")
        resent = browser.post(f"/tenders/{ref}/edit", data=again).text
    said = _problem(refused)
    assert "You both changed Quality floor: it is now “65.00”, you had typed “70”." in said
    assert "The form shows theirs: type yours again if it should stand." in said
    assert again["min_quality"] == "65.00" and "Changed by someone else; you had typed “70”" in refused
    assert "Nothing was changed: the form held what the tender already says." in resent
    assert _view(world, ref).rules.min_quality == Decimal(65)


def test_a_stale_form_without_its_fields_marks_is_refused_each_time_it_is_sent(world: World) -> None:
    """A page of an older version sends no marks: who changed what cannot be told, so what was sent comes back with
    its old token, and sending it again is refused again."""
    ref = world.tender()
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        old_page = {k: v for k, v in form_on(browser.get(f"/tenders/{ref}").text, f"/tenders/{ref}/edit").items()
                    if k != "shown"}
        browser.post(f"/tenders/{ref}/edit", data={**old_page, "min_quality": "65"})
        refused = browser.post(f"/tenders/{ref}/edit", data={**old_page, "title": "Renamed"}).text
        again = form_on(refused, f"/tenders/{ref}/edit")
        twice = browser.post(f"/tenders/{ref}/edit", data=again).text
    assert "Quality floor: you sent “60.00”; it is now “65.00”" in _problem(refused)
    assert f'<a href="/tenders/{ref}">Start again from the tender as it is now</a>' in refused
    assert "was changed by someone else after you opened it" in _problem(twice)
    now = _view(world, ref)
    assert now.rules.min_quality == Decimal(65) and now.title == "Home care 2026"


def _evaluated(world: World) -> tuple[str, dict[str, str]]:
    """An evaluated tender and its bids' references by provider code, on Brent."""
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    with world.db.uow() as uow:
        bids = reports.bid_listing(uow=uow, caller=world.caller(LEAD), ref=ref).bids
    return ref, {b.provider_code: b.reference for b in bids if b.lot_code == "HC-BRENT-KIL"}


def _brent(world: World, ref: str) -> dict[str, Decimal]:
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=world.caller(LEAD), ref=ref)
    assert summary is not None
    return {a.provider_code: a.weekly_quantity for a in summary.awards if a.lot_code == "HC-BRENT-KIL"}


def test_an_override_refused_as_stale_comes_back_on_the_award_as_it_is(world: World) -> None:
    ref, brent = _evaluated(world)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        tab = form_on(browser.get(f"/tenders/{ref}").text, f"/tenders/{ref}/override")
        with world.db.uow() as uow:  # a colleague gives Acorn all of Brent meanwhile
            evaluation.override(uow=uow, caller=world.caller(LEAD), ref=ref, reason="continuity",
                                allocations=[evaluation.Allocation(brent[SME_A], Decimal(660))])
        mine = {f"q{code}": "330" for code in brent.values()}  # split Brent between its two bidders
        refused = browser.post(f"/tenders/{ref}/override", data={**tab, **mine, "reason": "split it"}).text
        again = form_on(refused, f"/tenders/{ref}/override")
        resent = browser.post(f"/tenders/{ref}/override", data=again).text
    said = _problem(refused)
    assert said.startswith("Not saved: the award changed after you opened the page")
    assert "the form now shows the award as it is" in said
    assert re.search(r"HC-BRENT-KIL: .*Acorn Care “330” \(now 660\.00\)", said)
    assert again[f"q{brent[SME_A]}"] == "660.00" and again["reason"] == "split it"
    assert "Nothing was changed." in resent
    assert _brent(world, ref)[SME_A] == Decimal(660)  # the colleague's override stands


def test_an_empty_panel_score_is_said_on_the_tender_page_with_what_was_typed(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller(LEAD), ref=ref)
        acorn = next(b for b in reports.bid_listing(uow=uow, caller=world.caller(LEAD), ref=ref).bids
                     if b.provider_code == SME_A and b.lot_code == "HC-BRENT-KIL").reference
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        empty = browser.post(f"/tenders/{ref}/bids/{acorn}/panel-score", data={"score": "", "note": "good"})
        absent = browser.post(f"/tenders/{ref}/bids/{acorn}/panel-score", data={"note": "good"})
        both = browser.post(f"/tenders/{ref}/bids/{acorn}/panel-score", data={"score": " ", "note": ""}).text
        no_note = browser.post(f"/tenders/{ref}/bids/{acorn}/panel-score", data={"score": "85"}).text
    for page in (empty, absent):
        assert page.status_code == 200 and str(page.url).endswith(f"/tenders/{ref}")
        assert _problem(page.text) == ("Panel score for Acorn Care on HC-BRENT-KIL: a panel score is from 0 to "
                                       "100: none was given")
        assert 'value="" aria-invalid="true" autofocus>' in page.text and 'placeholder="why" value="good">' in page.text
    assert _problem(both) == ("Panel score for Acorn Care on HC-BRENT-KIL: a panel score is from 0 to 100: none was "
                              "given; and say how the panel reached the score (it is recorded)")
    assert 'value="85">' in no_note and 'placeholder="why" value="" aria-invalid="true" autofocus>' in no_note


def test_a_bid_workbook_sent_without_a_file_is_said_on_the_tender_page(world: World) -> None:
    ref = world.tender()
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, "bids@a.test")
        page = browser.post(f"/tenders/{ref}/bid-workbook", data={"note": "no file"})
    assert page.status_code == 200 and str(page.url).endswith(f"/tenders/{ref}")
    assert _problem(page.text) == "no file was chosen: choose a file to upload"


DEMAND = (b"member_code,service,locality_code,hours_per_week,baseline_price,current_provider\n"
          b"E09000005,home-care,BRENT-KIL,600,23.40,1-101000003\n"
          b"QRV,home-care,BRENT-KIL,60,24.75,1-101000003\n"
          b"E09000009,home-care,EALING-ACT,900,22.80,\n"
          b"E09000013,home-care,HF-NORTH,400,24.90,\n")


def test_today_named_for_part_of_the_value_says_so_wherever_its_figures_are(world: World, client: TestClient) -> None:
    lead = bearer(world, LEAD)
    client.post(f"/api/procurement/consortia/{world.consortium_id}/demand?replace_all=true", headers=lead,
                files={"file": ("demand.csv", DEMAND, "text/csv")})
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref)
    with world.db.uow() as uow:
        today = reports.award_summary(uow=uow, caller=world.caller(LEAD), ref=ref).today  # type: ignore[union-attr]
    assert today is not None and today.market.winners == 1 and today.named < 1  # Crown alone, on Brent alone
    named = percent(today.named)
    sign_in(client, LEAD)
    page = html.unescape(client.get(f"/tenders/{ref}").text)
    assert f"Today's figures cover only the {named} of today's value whose current provider the members named." in page
    assert f'<th scope="col" class="num">Today ({named} of value named)</th>' in page
    assert f"<td class=\"num\">{today.market.winners}<br><small>of the {named} named only</small></td>" in page
    assert f"{today.market.hhi:,}<br><small>of the {named} named only</small>" in page
    assert f'<th scope="col" class="num">Today (share of the {named} named)</th>' in page
    assert f"today's shares are of the {named} of today's value whose provider was named, not of all of it" in page


def test_the_cli_says_first_that_today_covers_only_part_of_the_value(cli: World,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with cli.db.uow() as uow:
        procurement.save_demand(uow=uow, caller=cli.caller(LEAD), consortium_id=cli.consortium_id, lines=[
            Located(replace(line, current_provider=LARGE_C if line.member == BRENT else "")) for line in demand()])
    ref = cli.tender()
    usual_bids(cli, ref)
    cli.clock.advance(days=15)
    cli.award(ref)
    code, out, _ = run(capsys, "summary", ref, "--as", LEAD)
    assert code == 0
    warning = out.index("of today's value whose current provider the members named: its concentration, SME share, "
                        "providers winning and provider shares are of that part alone")
    assert warning < out.index("Market health")


def test_the_override_table_tags_small_providers_as_the_sme_floor_counts_them(world: World) -> None:
    ref, _ = _evaluated(world)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        page = client.get(f"/tenders/{ref}").text
    override = page.split("Change the award by hand", 1)[1].split("</table>", 1)[0]
    assert 'Acorn Care <span class="tag sme">SME</span></td>' in override
    assert "Crown Care plc</td>" in override  # a large group: no tag
