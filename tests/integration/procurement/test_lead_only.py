"""Only the lead's procurement team runs a consortium: another member's procurement user states its own demand
and nothing else (lots, thresholds, tenders and the award stay the lead's), on the API and the pages."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from carepool.core.errors import CarepoolError
from carepool.procurement import service as procurement
from carepool.procurement import tendering
from carepool.web.app import create_app
from tests.integration.helpers import add_user, sign_in
from tests.integration.procurement.conftest import BRENT, World, bearer

PAT = "proc@brent.test"  # Brent's procurement team: a member, not the lead (Hammersmith and Fulham)
HEADER = "member_code,service,locality_code,hours_per_week,baseline_price\n"


def _refused(action: object, world: World, **kwargs: object) -> str:
    with world.db.uow() as uow:
        try:
            action(uow=uow, **kwargs)  # type: ignore[operator]
        except CarepoolError as error:
            assert error.kind == "forbidden", error
            return error.message
    raise AssertionError(f"{action} was not refused")


def test_a_members_procurement_user_states_its_own_demand_and_runs_nothing(world: World) -> None:
    add_user(world.db, PAT, BRENT, "procurement")
    ref = world.tender(publish=True)
    pat = world.caller(PAT)
    said = _refused(tendering.cancel, world, caller=pat, ref=ref, reason="x")
    assert said == ("only the lead of West London, Hammersmith and Fulham, changes its members, lots, thresholds "
                    "and tenders (through its procurement team); Brent states its own demand")
    _refused(procurement.build_lots, world, caller=pat, consortium_id=world.consortium_id)
    _refused(procurement.set_sme_threshold, world, caller=pat, consortium_id=world.consortium_id, hours=Decimal(5))
    with TestClient(create_app(database=world.db)) as client:
        headers = bearer(world, PAT)
        others = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand", headers=headers, files={
            "file": ("hf.csv", (HEADER + "E09000013,home-care,HF-NORTH,1,99.00\n").encode(), "text/csv")})
        own = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand", headers=headers, files={
            "file": ("brent.csv", (HEADER + f"{BRENT},home-care,BRENT-KIL,610,23.40\n").encode(), "text/csv")})
        cancel = client.post(f"/api/procurement/tenders/{ref}/cancel", headers=headers, json={"reason": "x"})
        sign_in(client, PAT)
        plan = client.get(f"/tenders/plan/{world.consortium_id}").text
        tender = client.get(f"/tenders/{ref}").text
        builder = client.get(f"/tenders/new?consortium={world.consortium_id}")
    assert others.status_code == 422 and others.json()["problems"] == [
        f"hf.csv, row 2, column member_code: E09000013 is another member: you may state demand for your own "
        f"organisation ({BRENT}) only; the lead's procurement team imports everyone's"]
    assert own.status_code == 200 and own.json()["members"] == [BRENT]
    assert cancel.status_code == 403
    assert "Import your organisation's demand" in plan and "Rebuild lots from demand</button>" not in plan
    assert "Save threshold" not in plan and "Cancel the tender" not in tender
    assert builder.status_code == 403
    with world.db.uow() as uow:
        hf = [d for d in procurement.list_demand(uow=uow, caller=pat, consortium_id=world.consortium_id)
              if d.member == "E09000013"]
        assert [str(d.weekly_quantity) for d in hf] == ["400.00"]  # the lead's line for H&F stands
        assert tendering.get_tender(uow=uow, caller=pat, ref=ref).status.value == "published"

