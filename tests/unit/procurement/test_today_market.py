"""The market before the tender: from the current providers named on the demand the tender's lots buy."""

from __future__ import annotations

from decimal import Decimal

from carepool.core.money import Money
from carepool.procurement import lots
from carepool.procurement.engine import Bidder, TodayMarket, today_market, today_values
from carepool.procurement.model import DemandLine, LotDesign

BRENT, EALING = "E09000005", "E09000009"
DIRECTORY = {"1-A": Bidder("1-A", "Acorn Care", True), "1-C": Bidder("1-C", "Crown Care plc", False)}


def _today(demand: list[DemandLine], bought: list[LotDesign]) -> TodayMarket | None:
    return today_market(*today_values(demand, bought, DIRECTORY), DIRECTORY)


def _line(member: str, place: str, hours: int, provider: str, service: str = "home-care") -> DemandLine:
    return DemandLine(member, service, place, Decimal(hours), Money.parse("20.00"), provider)


def test_shares_hhi_and_sme_share_come_from_the_named_providers_of_the_demand_the_lots_buy() -> None:
    demand = [_line(BRENT, "BRENT-KIL", 600, "1-C"), _line(BRENT, "BRENT-KIL", 200, "acorn care"),  # by name
              _line(EALING, "EALING-ACT", 200, "1-a"),  # by code, whatever its case
              _line(BRENT, "BRENT-KIL", 500, "1-C", service="reablement"),  # not bought by these lots
              _line(EALING, "EALING-SOU", 900, "1-C")]  # nor is this place
    bought = lots.aggregate([d for d in demand if d.service == "home-care" and d.locality != "EALING-SOU"],
                            threshold=Decimal(5000))
    today = _today(demand, bought)
    assert today is not None and today.named == 1 and today.sme_known
    assert today.market.values == {"1-C": Money.parse("624000.00"), "1-A": Money.parse("416000.00")}
    assert today.market.shown_shares == {"1-C": Decimal("0.6"), "1-A": Decimal("0.4")}
    assert today.market.hhi == Decimal("5200.0") and today.market.sme_share == Decimal("0.4000")
    assert today.market.winners == 2


def test_unnamed_demand_is_left_out_and_said_and_an_unknown_provider_makes_the_sme_share_unknown() -> None:
    demand = [_line(BRENT, "BRENT-KIL", 300, "1-C"), _line(BRENT, "BRENT-KIL", 100, ""),
              _line(EALING, "EALING-ACT", 100, "Sunrise Homecare")]
    today = _today(demand, lots.aggregate(demand, threshold=Decimal(5000)))
    assert today is not None and today.named == Decimal("0.8000") and not today.sme_known
    assert set(today.market.values) == {"1-C", "Sunrise Homecare"}


def test_no_named_provider_means_no_market_today() -> None:
    demand = [_line(BRENT, "BRENT-KIL", 300, "")]
    assert _today(demand, lots.aggregate(demand, threshold=Decimal(5000))) is None


def test_a_part_of_a_split_lot_is_measured_on_its_own_value_to_the_penny() -> None:
    demand = [DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal("600.01"), Money.parse("23.41"), "1-C"),
              DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal("300"), Money.parse("23.41"), "1-A"),
              DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal("99.99"), Money.parse("23.41"), "")]
    first, _second = lots.split(lots.aggregate(demand, threshold=Decimal(5000))[0], 2, threshold=Decimal(5000))
    today = _today(demand, [first])
    assert today is not None and today.whole == first.annual_value  # the part tendered, not the whole place
    assert today.market.shown_shares == {"1-C": Decimal("0.667"), "1-A": Decimal("0.333")}
    assert today.named == Decimal("0.9000")
