"""Running the award from the tender's page: it runs in the background, the page follows it, and only the
consortium's members can see how it stands."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.jobs.service import JobCall
from carepool.procurement import evaluation, opening
from carepool.web.app import create_app
from tests.integration.helpers import job_ended, sign_in
from tests.integration.procurement.conftest import World, bearer, usual_bids


def opened(world: World) -> str:
    """A tender whose usual bids the lead has opened after the deadline, ready for its award."""
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller("proc@hf.test"), ref=ref)
    return ref


def test_the_award_runs_in_the_background_counting_the_optimisers_runs(world: World) -> None:
    ref = opened(world)  # three rules (cap, SME floor, quality floor): the award, "cheapest wins", one without each
    job_url = f"/api/procurement/tenders/{ref}/award/job"
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        assert client.get(job_url).status_code == 404
        started = html.unescape(client.post(f"/tenders/{ref}/evaluate").text)
        assert 'Running the award: the optimiser runs once under the rules, once as "cheapest wins"' in started
        job = job_ended(client, job_url)
        assert (job["status"], job["done"], job["total"]) == ("done", 5, 5), job
        assert job["message"] == "Award run. Review it below, override with a reason if you must, then confirm."
        page = client.get(f"/tenders/{ref}").text
        assert "Confirm the award" in page and 'data-job="' not in page and "could not be run" not in page
        assert "Run the award again" in page
        sign_in(client, "comm@brent.test")  # a member who does not run it follows it too
        assert client.get(job_url).json()["status"] == "done"
        refused = html.unescape(client.post(f"/tenders/{ref}/evaluate", follow_redirects=True).text)
        assert "Hammersmith and Fulham" in refused and "Run the award again" not in refused  # only the lead runs it
        for outsider in ("proc@harrow.test", "bids@a.test"):
            sign_in(client, outsider)
            assert client.get(job_url).status_code == 403


class Held:
    """A runner that holds the jobs it is given until told to run them, so a page can be seen mid-run."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], None]] = []

    def submit(self, database: Database, call: JobCall) -> None:
        self.waiting.append(lambda: call.run(database))


def test_while_the_award_runs_its_page_shows_the_bar_and_cannot_start_it_twice(world: World) -> None:
    ref = opened(world)
    app = create_app(database=world.db)
    app.state.job_runner = held = Held()
    with TestClient(app) as client:
        sign_in(client, "proc@hf.test")
        client.post(f"/tenders/{ref}/evaluate")
        page = html.unescape(client.get(f"/tenders/{ref}").text)
        assert f'data-job="/api/procurement/tenders/{ref}/award/job"' in page
        assert "Running the award: <span data-job-count>starting</span> optimiser runs done." in page
        assert f'action="/tenders/{ref}/evaluate"' not in page  # no second start from the page
        again = html.unescape(client.post(f"/tenders/{ref}/evaluate", follow_redirects=True).text)
        assert f"the award of tender {ref} is already being worked out (started" in again
        assert len(held.waiting) == 1
        held.waiting.pop()()  # the job runs (here, in this thread) and the page shows the award
        page = client.get(f"/tenders/{ref}").text
        assert "Confirm the award" in page and "data-job=" not in page


def test_the_api_starts_the_award_in_the_background_and_reads_how_it_stands(world: World) -> None:
    ref = opened(world)
    job_url = f"/api/procurement/tenders/{ref}/award/job"
    with TestClient(create_app(database=world.db)) as client:
        refused = client.post(job_url, headers=bearer(world, "comm@brent.test"))
        assert refused.status_code == 403 and refused.json()["error"] == "this needs the procurement role"
        lead = bearer(world, "proc@hf.test")
        started = client.post(job_url, headers=lead)
        assert started.status_code == 202 and started.json()["status"] == "running", started.text
        client.headers.update(lead)
        assert job_ended(client, job_url)["status"] == "done"
        award = client.get(f"/api/procurement/tenders/{ref}/award")
        assert award.status_code == 200 and award.json()["awards"]
        again = client.post(job_url)  # evaluated: the award may run again, once the last run has ended
        assert again.status_code == 202 and job_ended(client, job_url)["status"] == "done"


def test_an_award_being_run_again_cannot_be_confirmed_or_changed_meanwhile(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref, confirm=False)  # evaluated: the lead reviews it, then runs it again
    app = create_app(database=world.db)
    app.state.job_runner = held = Held()
    with TestClient(app) as client:
        sign_in(client, "proc@hf.test")
        client.post(f"/tenders/{ref}/evaluate")
        page = html.unescape(client.get(f"/tenders/{ref}").text)
        assert "The award is being run again: it can be changed or confirmed once the run has ended." in page
        assert "Confirm the award" not in page and "Change the award by hand" not in page
        with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
            evaluation.confirm(uow=uow, caller=world.caller("proc@hf.test"), ref=ref)
        assert refused.value.kind == "conflict" and refused.value.message.startswith(
            f"the award of tender {ref} is being run again (started ")
        assert refused.value.message.endswith("UTC by proc@hf.test): wait for it to finish, then confirm the award "
                                              "it makes")
        held.waiting.pop()()
        page = client.get(f"/tenders/{ref}").text
        assert "Confirm the award" in page and "Change the award by hand" in page
