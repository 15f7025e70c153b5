"""A tender that closed with no bid says so when opened, and offers no award to run."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import World


def test_opening_a_tender_nobody_bid_for_says_to_cancel_it_not_to_run_the_award(world: World) -> None:
    ref = world.tender()
    world.clock.advance(days=15)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        page = html.unescape(client.post(f"/tenders/{ref}/open").text)
    assert page.count("No bid was made before the deadline, so there is nothing to award. Cancel the tender, "
                      "saying why, and tender again") == 2  # the message, and the page's next step
    assert "every hash matched" not in page and "Run the award</button>" not in page
