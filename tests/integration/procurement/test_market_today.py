"""Members name who provides their demand today; the award shows that market beside its own."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import LARGE_C, SME_A, World, bearer, usual_bids

HEADER = b"member_code,service,locality_code,hours_per_week,baseline_price,current_provider\n"
DEMAND = HEADER + (b"E09000005,home-care,BRENT-KIL,400,23.40,1-101000003\n"
                   b"E09000005,home-care,BRENT-KIL,200,23.40,Acorn Care\n"
                   b"QRV,home-care,BRENT-KIL,60,24.75,1-101000003\n"
                   b"E09000009,home-care,EALING-ACT,900,22.80,Sunrise Homecare\n"
                   b"E09000013,home-care,HF-NORTH,400,24.90,\n")


def test_current_providers_go_in_with_the_demand_and_out_with_the_award(world: World, client: TestClient) -> None:
    lead = bearer(world, "proc@hf.test")
    consortium = f"/api/procurement/consortia/{world.consortium_id}"
    imported = client.post(f"{consortium}/demand?replace_all=true", headers=lead,
                           files={"file": ("demand.csv", DEMAND, "text/csv")})
    assert imported.status_code == 200, imported.text
    exported = load_workbook(io.BytesIO(client.get(f"{consortium}/demand.xlsx", headers=lead).content))["Demand"]
    rows = list(exported.iter_rows(values_only=True))
    assert rows[0][-1] == "current_provider" and sorted(r[-1] or "" for r in rows[1:]) == [
        "", "1-101000003", "1-101000003", "Acorn Care", "Sunrise Homecare"]
    repeated = client.post(f"{consortium}/demand", headers=lead, files={"file": ("again.csv", DEMAND + (
        b"E09000005,home-care,BRENT-KIL,10,23.40,acorn care\n"), "text/csv")})  # the same key, whatever the case
    assert repeated.status_code == 200  # a provider named two ways is two lines; the market counts it once
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref)
    summary = client.get(f"/api/procurement/tenders/{ref}/award", headers=lead).json()
    today = summary["today"]
    # a year today: Crown £486,720 + £77,220, Acorn £243,360 + £12,168, Sunrise £1,067,040; H&F's £517,920 unnamed
    assert today["winners"] == 3 and today["sme_known"] is False
    assert set(today["shares"]) == {LARGE_C, SME_A, "Sunrise Homecare"}
    assert today["yearly_cost"] == "1886508.00" and today["named"] == "0.7846"  # of £2,404,428.00
    sign_in(client, "proc@hf.test")
    page = client.get(f"/tenders/{ref}").text
    assert '<th scope="col" class="num">Today</th>' in page and "Sunrise Homecare" in page
    assert "its SME share is not known because some current providers are named but not in the directory" in page
    assert "Today (78.5% of value named)" in page  # the providers' chart: before, and after


def test_the_market_an_award_was_compared_with_stays_when_demand_changes_later(world: World,
                                                                                client: TestClient) -> None:
    lead = bearer(world, "proc@hf.test")
    consortium = f"/api/procurement/consortia/{world.consortium_id}"
    client.post(f"{consortium}/demand?replace_all=true", headers=lead,
                files={"file": ("demand.csv", DEMAND, "text/csv")})
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref)
    before = client.get(f"/api/procurement/tenders/{ref}/award", headers=lead).json()["today"]
    changed = HEADER + b"E09000005,home-care,BRENT-KIL,600,23.40,Sunrise Homecare\n"  # Brent's provider changes
    assert client.post(f"{consortium}/demand", headers=lead,
                       files={"file": ("brent.csv", changed, "text/csv")}).status_code == 200
    after = client.get(f"/api/procurement/tenders/{ref}/award", headers=lead).json()["today"]
    assert after == before and after["yearly_cost"] == "1874340.00"  # as at the award, not as the demand is now
