from decimal import Decimal

from carepool.core.money import Money
from carepool.procurement.model import BidContent, LotDesign, MemberShare
from carepool.procurement.validation import bid_warnings, capacity_differs

# Brent 600 hours at £23.40 and the ICB 258.50 at £24.75: £23.81 an hour on average today
LOT = LotDesign("HC-BRENT-KIL", "Home care Kilburn", "home-care", ("BRENT-KIL",), (
    MemberShare("E09000005", Decimal(600), Money.parse("23.40")),
    MemberShare("QRV", Decimal("258.50"), Money.parse("24.75"))))


def _bid(price: str, max_quantity: str | None = None, capacity: str | None = None) -> BidContent:
    return BidContent(Money.parse(price), Decimal(80), None if max_quantity is None else Decimal(max_quantity),
                      None if capacity is None else Decimal(capacity))


def test_a_sensible_bid_raises_nothing() -> None:
    assert LOT.baseline_price == Money.parse("23.81")
    assert bid_warnings(LOT, _bid("21.50", "500", "1200")) == ()
    assert bid_warnings(LOT, _bid("71.43")) == () and bid_warnings(LOT, _bid("7.94")) == ()  # within 3 times


def test_slips_are_named_with_the_figures() -> None:
    assert bid_warnings(LOT, _bid("2150.00")) == (
        "lot HC-BRENT-KIL: £2,150.00 an hour is more than 3 times what the members pay today (£23.81); "
        "check it is not a slip",)
    assert "less than a third of what the members pay today (£23.81)" in bid_warnings(LOT, _bid("2.15"))[0]
    assert bid_warnings(LOT, _bid("21.50", "5000")) == (
        "lot HC-BRENT-KIL: you offer up to 5,000.00 hours a week, but the lot has 858.50; no more than that "
        "can be awarded",)
    assert bid_warnings(LOT, _bid("21.50", "500", "300")) == (
        "lot HC-BRENT-KIL: your capacity across the tender (300.00 hours a week) is less than the 500.00 you "
        "offer on this lot; no more than your capacity can be awarded",)
    assert len(bid_warnings(LOT, _bid("2150.00", "5000", "300"))) == 3


def test_a_capacity_differing_from_the_providers_other_bids_says_which_one_counts() -> None:
    assert capacity_differs("L2", Decimal(800), {"L1": Decimal(800)}) is None
    assert capacity_differs("L2", None, {"L1": None}) is None
    assert capacity_differs("L2", Decimal(1500), {"L1": Decimal(800), "L3": None}) == (
        "lot L2: you declare a capacity across the tender of 1,500.00 hours a week here, but 800.00 on L1; the award "
        "uses the smallest you declare on any lot (800.00 hours a week). Bid again so they agree, if that is not "
        "what you mean")
    assert "of none here, but 1,200.00 on L1; the award uses the smallest you declare on any lot (1,200.00" in (
        capacity_differs("L2", None, {"L1": Decimal(1200)}) or "")
