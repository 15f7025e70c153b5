"""Monthly monitoring as a browser walk-through found it: a refused import leaves nothing behind and never
locks the pool's pages, an actuals-only file keeps the commitments, a result page survives a refresh,
absurd amounts and unreadable files are named problems (never a 500 or a server path)."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from carepool.db.engine import Database
from carepool.ledger.tables import LedgerTransactionRow
from carepool.pooled_budget import monitoring, service
from carepool.pooled_budget.tables import PoolForecastOverrideRow, PoolMonthlyRow
from tests.integration.pooled_budget.builders import ICB, m, new_pool

PAGES = ("", "/monitoring", "/variations", "/settlement", "/download/monitoring")


def _csv(name: str, text: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, text.encode(), "text/csv"))]


def _stored(database: Database) -> tuple[int, int, int]:
    """Ledger transactions, monthly figures and manual forecasts: what a refused request must not change."""
    with database.uow() as uow:
        return tuple(uow.session.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[return-value]
                     for table in (LedgerTransactionRow, PoolMonthlyRow, PoolForecastOverrideRow))


def _forecast(database: Database, pool: int) -> monitoring.Monitoring:
    with database.uow() as uow:
        return monitoring.monitor(uow=uow, by=service.Operator("test"), agreement_id=pool)


def test_an_import_that_would_take_spend_below_zero_writes_nothing_and_the_pages_stay_open(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    first = "scheme_id,month,source,actual\n" + "".join(f"REAB,2025-{n:02d},{ICB},{a}\n"
                                                       for n, a in ((4, "1000000"), (5, "0"), (6, "0")))
    assert client.post(f"/pool/{pool}/monitoring/import", files=_csv("icb.csv", first)).status_code == 200
    before = _stored(database)

    huge_refund = _csv("icb-june.csv", f"scheme_id,month,source,actual\nREAB,2025-06,{ICB},-50000000\n")
    refused = client.post(f"/pool/{pool}/monitoring/import", files=huge_refund)
    assert refused.status_code == 422 and "There is a problem" in refused.text
    assert ("icb-june.csv, row 2, column actual: -£50,000,000.00 would take the actual spend of Reablement for "
            "2025/26 to -£49,000,000.00, below zero") in refused.text
    assert _stored(database) == before  # nothing posted, nothing stored
    api = client.post(f"/api/pool/agreements/{pool}/actuals/import", files=huge_refund)
    assert api.status_code == 422 and "would take the actual spend of Reablement" in api.json()["problems"][0]
    for page in PAGES:
        assert client.get(f"/pool/{pool}{page}").status_code == 200, page

    # a genuine refund may leave the run rate, and so the forecast, below zero: shown with a warning, never a 422
    refund = _csv("icb-july.csv", f"scheme_id,month,source,actual\nREAB,2025-07,{ICB},-300000\n")
    assert client.post(f"/pool/{pool}/monitoring/import", files=refund).status_code == 200
    reab = _forecast(database, pool).forecast.schemes[0]
    assert (reab.actual_to_date, reab.forecast) == (m("700000"), m("-100000"))  # 700,000 + 8 x -100,000
    for page in PAGES:
        assert client.get(f"/pool/{pool}{page}").status_code == 200, page
    overview = client.get(f"/pool/{pool}").text
    assert "the forecast outturn of Reablement is -£100,000.00: below zero" in overview
    warnings = client.get(f"/api/pool/agreements/{pool}/monitoring").json()["warnings"]
    assert warnings and warnings[0].startswith("the forecast outturn of Reablement is -£100,000.00")
    book = load_workbook(io.BytesIO(client.get(f"/pool/{pool}/download/monitoring").content))
    said = [row[1] for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) if row[0] == "Warning"]
    assert said and said[0].startswith("the forecast outturn of Reablement is -£100,000.00")  # the workbook too


def test_an_actuals_only_file_keeps_the_commitments_and_says_so(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    with_commitments = ("scheme_id,month,source,actual,commitments\n"
                        f"REAB,2025-06,{ICB},72000.00,9000.00\nICES,2025-06,{ICB},5000.00,1000.00\n")
    client.post(f"/pool/{pool}/monitoring/import", files=_csv("june.csv", with_commitments))
    actuals_only = f"scheme_id,month,source,actual\nREAB,2025-06,{ICB},75000.00\nICES,2025-06,{ICB},5000.00\n"
    page = client.post(f"/pool/{pool}/monitoring/import", files=_csv("june-corrected.csv", actuals_only))
    assert "1 corrected, 1 unchanged" in page.text
    assert "2 of them came without a commitments column: their commitments were kept as recorded" in page.text
    reab, ices = _forecast(database, pool).forecast.schemes
    assert (reab.actual_to_date, reab.commitments, ices.commitments) == (m("75000"), m("9000"), m("1000"))
    # the single-figure form left blank keeps them too; a 0 clears them
    blank = {"scheme_id": "REAB", "month": "2025-06", "source": ICB, "actual": "76000.00", "commitments": ""}
    client.post(f"/pool/{pool}/monitoring/entry", data=blank)
    assert _forecast(database, pool).forecast.schemes[0].commitments == m("9000")
    client.post(f"/pool/{pool}/monitoring/entry", data={**blank, "commitments": "0"})
    assert _forecast(database, pool).forecast.schemes[0].commitments == m("0")


def test_a_result_page_is_a_redirect_so_a_refresh_cannot_post_again(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    entry = {"scheme_id": "REAB", "month": "2025-06", "source": ICB, "actual": "72000.00", "commitments": ""}
    posts = [(f"/pool/{pool}/monitoring/entry", {"data": entry}),
             (f"/pool/{pool}/monitoring/import",
              {"files": _csv("icb.csv", f"scheme_id,month,source,actual\nICES,2025-06,{ICB},5000.00\n")})]
    for url, body in posts:
        done = client.post(url, follow_redirects=False, **body)  # type: ignore[arg-type]
        assert done.status_code == 303 and done.headers["location"] == f"/pool/{pool}/monitoring", url
        shown = client.get(done.headers["location"])
        assert shown.status_code == 200 and "1 new" in shown.text, url
        assert "1 new" not in client.get(done.headers["location"]).text  # the notice is shown once
    assert len(_forecast(database, pool).stored.agreement.schemes) == 2
    assert _stored(database)[1] == 2
    # a notice belongs to the page it was meant for: another pool's page (a second tab) does not take it
    other = new_pool(client, database)
    done = client.post(posts[0][0], follow_redirects=False, data={**entry, "month": "2025-07"})
    assert "1 new" not in client.get(f"/pool/{other}/monitoring").text
    assert "1 new" in client.get(done.headers["location"]).text


def test_absurd_amounts_are_named_problems_not_server_errors(client: TestClient, database: Database,
                                                            tmp_path: Path) -> None:
    pool = new_pool(client, database)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Actuals"
    sheet.append(["scheme_id", "month", "source", "actual"])
    sheet.append(["REAB", "2025-06", ICB, 1e20])
    sheet.append(["ICES", "2025-06", ICB, 10**18])
    book.save(tmp_path / "huge.xlsx")
    before = _stored(database)
    upload = [("files", ("huge.xlsx", (tmp_path / "huge.xlsx").read_bytes(),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))]
    refused = client.post(f"/pool/{pool}/monitoring/import", files=upload)
    assert refused.status_code == 422
    for row, shown in ((2, "100000000000000000000"), (3, "1000000000000000000")):
        assert (f"huge.xlsx, sheet Actuals, row {row}, column actual: expected an amount of at most "
                f"£10,000,000,000.00 either way, got &#39;{shown}&#39;") in refused.text
    forecast = client.post(f"/pool/{pool}/monitoring/forecast",
                           data={"scheme_id": "REAB", "amount": "1000000000000000000"})
    assert forecast.status_code == 422
    assert "forecast outturn: expected an amount of at most £10,000,000,000.00" in forecast.text
    api = client.put(f"/api/pool/agreements/{pool}/schemes/REAB/forecast", json={"amount": 10**18})
    assert api.status_code == 422 and api.json()["error"].startswith("amount: expected an amount of at most")
    entry = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [
        {"scheme_id": "REAB", "month": "2025-06", "source": ICB, "actual": "10000000000.01"}]})
    assert entry.status_code == 422 and "request, row 1, column actual" in entry.json()["problems"][0]
    assert _stored(database) == before
    at_the_limit = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [
        {"scheme_id": "REAB", "month": "2025-06", "source": ICB, "actual": "10000000000.00"}]})
    assert at_the_limit.status_code == 200, at_the_limit.text


def test_a_file_that_is_not_utf8_is_named_without_the_server_path(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    latin1 = [("files", ("latin1.csv", "scheme_id,month,source,actual\nREAB,2025-06,QRV,£5\n".encode("latin-1"),
                         "text/csv"))]
    page = client.post(f"/pool/{pool}/monitoring/import", files=latin1)
    assert page.status_code == 422 and "latin1.csv: not a UTF-8 text file" in page.text
    api = client.post(f"/api/pool/agreements/{pool}/actuals/import", files=latin1)
    # named as one of every problem of the import (the other files are still checked: see test_one_pass_import)
    assert api.status_code == 422 and api.json()["problems"][0].startswith("latin1.csv: not a UTF-8 text file")
    assert "/tmp" not in page.text and "/tmp" not in api.text


def test_each_partner_gets_its_own_position_workbook_that_adds_up(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    figures = _csv("figures.csv", f"scheme_id,month,source,actual,commitments\nREAB,2025-04,{ICB},130000,0\n"
                            f"REAB,2025-05,{ICB},110000,0\nICES,2025-05,{ICB},9000,2500\n")
    assert client.post(f"/pool/{pool}/monitoring/import", files=figures).status_code == 200
    overview = client.get(f"/pool/{pool}").text
    assert f"/pool/{pool}/download/position?partner={ICB}" in overview
    answer = client.get(f"/pool/{pool}/download/position?partner={ICB.lower()}")
    assert answer.status_code == 200 and f"position-{ICB}.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    position = {row[0]: row[1] for row in book["Position"].iter_rows(min_row=2, values_only=True)}
    m_now = _forecast(database, pool)
    icb = next(p for p in m_now.forecast.outcome.partners if p.code == ICB)
    assert position["Partner"] == f"NHS North West London ICB ({ICB})"
    assert position["Contribution for the year"] == m_now.contributions[ICB].amount == m("786000").amount
    assert position["Forecast final cost"] == icb.final_cost.amount
    *schemes, total = list(book["Schemes"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in schemes] == ["Reablement", "Community equipment", "Contingency"]
    assert total[6] == sum(row[6] for row in schemes) == m_now.contributions[ICB].amount  # to the penny
    assert total[7] == sum(row[7] for row in schemes) == (icb.overspend_share + icb.underspend_share).amount
    refused = client.get(f"/pool/{pool}/download/position?partner=E09000009")
    assert refused.status_code == 422 and "a position is for one partner of Brent BCF pool" in refused.text


def test_the_forecast_table_says_how_projected_is_rounded_where_the_average_would_not_multiply_out(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    months = ("scheme_id,month,source,actual,commitments\n"
              f"REAB,2025-04,{ICB},100000.00,0\nREAB,2025-05,{ICB},100000.00,0\nREAB,2025-06,{ICB},100000.01,0\n")
    client.post(f"/pool/{pool}/monitoring/import", files=_csv("q1.csv", months))
    reab = _forecast(database, pool).forecast.schemes[0]
    # 300,000.01 x 9 / 3 = 900,000.03, rounded once; the average shown (100,000.00) x 9 would say 900,000.00
    assert (reab.run_rate, reab.remaining_months, reab.projected) == (m("100000.00"), 9, m("900000.03"))
    page = client.get(f"/pool/{pool}/monitoring").text
    assert "£900,000.03" in page and "£100,000.00" in page
    assert "rounded once to the penny" in page and "can differ from Projected by a\nfew pence" in page
