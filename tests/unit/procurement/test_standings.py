"""A bidder's standing on each lot after the award: its own price's position, ties sharing a rank."""

from __future__ import annotations

from decimal import Decimal

from carepool.core.money import Money
from carepool.procurement.engine import OpenedBid, bid_standings, market


def _bid(bid_id: int, provider: str, lot: str, price: str, quality: int) -> OpenedBid:
    return OpenedBid(bid_id, f"B-{bid_id:010d}", provider, lot, Money.parse(price), Decimal(quality), None, None)


def test_positions_ties_and_the_quality_floor() -> None:
    every = [_bid(1, "A", "L1", "21.00", 70), _bid(2, "B", "L1", "20.50", 80), _bid(3, "C", "L1", "21.00", 60),
             _bid(4, "D", "L1", "19.00", 40), _bid(5, "A", "L2", "22.00", 45), _bid(6, "B", "L2", "23.00", 90)]
    mine = [b for b in every if b.provider == "A"]
    l1, l2 = bid_standings(mine, every, Decimal(50), {"L1": Decimal("120.5")},
                           {"L1": [Money.parse("21.00"), Money.parse("20.50")], "L2": [Money.parse("23.00")]})
    # D's 19.00 is under the floor; B is cheaper; C ties with A and shares second place
    assert (l1.price_rank, l1.bids_considered, l1.considered, l1.awarded_quantity) == (2, 3, True, Decimal("120.5"))
    assert l1.awarded_prices == (Money.parse("20.50"), Money.parse("21.00"))  # lowest first
    assert (l2.considered, l2.price_rank, l2.bids_considered, l2.awarded_quantity) == (False, None, 1, Decimal(0))
    tie = bid_standings([every[2]], every, Decimal(50), {}, {})[0]
    assert tie.price_rank == 2
    assert bid_standings(mine, every, None, {}, {})[0].price_rank == 3  # no floor: D counts too


def test_shares_shown_in_tables_add_up_to_one_hundred_percent() -> None:
    # 76.25%, 15.05% and 8.70% would each round half up to 76.3 + 15.1 + 8.7 = 100.1%
    health = market({"M": Money(762_500), "S": Money(150_500), "N": Money(87_000)}, smes={"S", "N"})
    assert health.shown_shares == {"M": Decimal("0.763"), "S": Decimal("0.150"), "N": Decimal("0.087")}
    assert health.shown_shares_total == 1  # the leftover tenth went to the first of the equal remainders
