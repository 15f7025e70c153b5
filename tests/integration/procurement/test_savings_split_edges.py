"""The savings split through the API, the command line and the page (numbers as in test_savings_split)."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carepool.web.app import create_app
from tests.integration.helpers import job_ended, sign_in
from tests.integration.procurement.conftest import World, bearer, run
from tests.integration.procurement.test_savings_split import ALONE, FINANCE, awarded, compute


def test_the_api_works_it_out_reads_it_and_sends_it_as_excel(world: World, client: TestClient) -> None:
    ref = awarded(world)
    path = f"/api/procurement/tenders/{ref}/savings-split"
    missing = client.get(path, headers=bearer(world, FINANCE))
    assert missing.status_code == 404 and "has not been worked out yet" in missing.json()["error"]
    refused = client.post(path, headers=bearer(world, "comm@brent.test"))
    assert refused.status_code == 403 and "finance team" in refused.json()["error"]
    made = client.post(path, headers=bearer(world, FINANCE))
    assert made.status_code == 200, made.text
    body = made.json()
    assert {m["member"]: m["shapley"] for m in body["members"]} == ALONE
    assert {m["member"]: m["nucleolus"] for m in body["members"]} == ALONE
    assert body["saving"] == "207636.00" and body["method"] == "exact" and not body["stale"]
    assert body["objections"]["shapley"] == [] and body["objections"]["proportional"]
    assert body["verdicts"]["shapley"].startswith("Under the Shapley split, no group")
    assert body["verdicts"]["nucleolus"].startswith("Under the nucleolus, no group")
    assert body["verdicts"]["core"].endswith("the nucleolus is one.")
    read = client.get(path, headers=bearer(world, "viewer@brent.test"))
    assert read.status_code == 200 and read.json()["members"] == body["members"]
    outsider = client.get(path, headers=bearer(world, "proc@harrow.test"))
    assert outsider.status_code == 403
    assert client.post(f"{path}/job", headers=bearer(world, "proc@harrow.test")).status_code == 403
    started = client.post(f"{path}/job", headers=bearer(world, FINANCE))  # in the background, as the page does
    assert started.status_code == 202 and started.json()["started_by"] == f"user:{FINANCE}"
    client.headers.update(bearer(world, FINANCE))
    assert job_ended(client, f"{path}/job")["message"].endswith("(14 awards run).")
    sheet = client.get(f"{path}.xlsx", headers=bearer(world, FINANCE))
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == ["Split", "Groups alone", "Verdicts"]
    rows = list(book["Split"].iter_rows(values_only=True))
    assert rows[0][:3] == ("member", "code", "spend today")
    shapley = {row[1]: row[6] for row in rows[1:-1]}
    assert {code: f"{value:.2f}" for code, value in shapley.items()} == ALONE
    assert rows[0][6:] == ("Shapley", "nucleolus", "pays in (+) / receives (-) for Shapley")
    assert {row[1]: f"{row[7]:.2f}" for row in rows[1:-1]} == ALONE
    assert rows[-1][0] == "Total" and [f"{value:.2f}" for value in rows[-1][6:]] == ["207636.00", "207636.00", "0.00"]
    assert [row[0] for row in book["Verdicts"].iter_rows(min_row=2, values_only=True)][2].startswith(
        "Under the nucleolus")
    assert len(list(book["Groups alone"].iter_rows())) == 16  # header, 14 groups, the consortium
    assert [row[5] for row in book["Groups alone"].iter_rows(min_row=2, values_only=True)][-2:] == [
        "award proven optimal", "the award as it stands"]  # the page's words


def test_the_command_line_works_it_out_and_shows_it_again(cli: World, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    ref = awarded(cli)
    code, out, err = run(capsys, "split", ref, "--as", "comm@brent.test", "--stored")
    assert code != 0 and "has not been worked out yet" in err and "Traceback" not in err
    code, out, err = run(capsys, "split", ref, "--as", "comm@brent.test")
    assert code != 0 and "finance team" in err and "Traceback" not in err
    xlsx = tmp_path / "split.xlsx"
    code, out, err = run(capsys, "split", ref.lower(), "--as", FINANCE, "--workers", "1", "--xlsx", str(xlsx))
    assert code == 0, err
    assert "Splitting the saving of" in out and "£207,636.00" in out and "£68,640.00" in out
    assert "Under the Shapley split, no group of members would save more by tendering alone." in out
    assert "Under the nucleolus, no group of members would save more by tendering alone." in out
    assert "every group of members (14 awards run)" in out and xlsx.exists()
    code, again, _ = run(capsys, "split", ref, "--as", "viewer@brent.test", "--stored")
    assert code == 0 and "£68,640.00" in again


def test_the_page_shows_the_verdicts_and_lets_finance_work_it_out(world: World) -> None:
    ref = awarded(world)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, "comm@brent.test")
        page = browser.get(f"/tenders/{ref}/savings-split")
        assert page.status_code == 200 and "has not been worked out yet" in page.text
        assert 'id="compute-split"' not in page.text  # a commissioner reads it; finance works it out
        sign_in(browser, FINANCE)
        page = browser.get(f"/tenders/{ref}")
        assert f'href="/tenders/{ref}/savings-split"' in page.text
        compute(world, ref)
        page = browser.get(f"/tenders/{ref}/savings-split")
        assert "Under the Shapley split, no group of members would save more by tendering alone." in page.text
        assert "<th scope=\"col\" class=\"num\">Nucleolus</th>" in page.text and "the nucleolus is one." in page.text
        assert "£68,640.00" in page.text and "Brent and NWL ICB" in page.text and 'id="compute-split"' in page.text
        assert "award proven optimal" in page.text and "the award as it stands" in page.text  # how each was found
        sign_in(browser, "proc@harrow.test")
        assert browser.get(f"/tenders/{ref}/savings-split").status_code == 403
        assert browser.get(f"/api/procurement/tenders/{ref}/savings-split/job").status_code == 403


def test_working_it_out_from_the_page_runs_in_the_background_and_the_page_follows_it(world: World) -> None:
    ref = awarded(world)
    job_url = f"/api/procurement/tenders/{ref}/savings-split/job"
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, FINANCE)
        assert browser.get(job_url).status_code == 404  # nothing started yet
        posted = browser.post(f"/tenders/{ref}/savings-split", follow_redirects=True)
        shown = html.unescape(posted.text)
        assert posted.status_code == 200 and "Working out the split: every group of members' award is running." \
            in shown
        assert f'data-job="{job_url}"' in shown or "groups' awards in" in shown  # or done already
        job = job_ended(browser, job_url)
        assert (job["status"], job["done"], job["total"]) == ("done", 14, 14), job
        assert job["message"] == "Savings split worked out from every group's award (14 awards run)."
        assert job["started_by"] == f"user:{FINANCE}" and job["seconds"] > 0 and not job["stalled"]
        page = html.unescape(browser.get(f"/tenders/{ref}/savings-split").text)
        assert "£68,640.00" in page and "(14 groups' awards in" in page and "data-job=" not in page
        sign_in(browser, "viewer@brent.test")  # any member follows it; only finance or the lead start it
        assert browser.get(job_url).json()["status"] == "done"
        refused = browser.post(f"/tenders/{ref}/savings-split", follow_redirects=True)
        assert "for a member's finance team or the procurement team of its lead" in html.unescape(refused.text)


def test_a_split_that_cannot_be_worked_out_says_why_on_the_page(world: World) -> None:
    ref = world.tender(rules={"min_quality": "60", "max_providers": 1})  # no award yet
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, FINANCE)
        refused = browser.post(f"/tenders/{ref}/savings-split", follow_redirects=True)
        assert "has no award yet: run the award first" in refused.text  # refused at once, nothing started
        assert browser.get(f"/api/procurement/tenders/{ref}/savings-split/job").status_code == 404
