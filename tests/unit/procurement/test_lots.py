"""Lot design in plain numbers: a commissioner could check every figure here by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement import lots
from carepool.procurement.model import DemandLine, LotDesign, MemberShare

BRENT, ICB, EALING = "E09000005", "QRV", "E09000009"


def line(member: str, locality: str, hours: str, price: str, service: str = "home-care") -> DemandLine:
    return DemandLine(member, service, locality, Decimal(hours), Money.parse(price))


def test_demand_is_aggregated_by_service_and_locality_with_member_shares() -> None:
    demand = [line(BRENT, "BRENT-KIL", "600", "23.40"), line(ICB, "BRENT-KIL", "60", "24.75"),
              line(EALING, "EALING-ACT", "900", "22.80"), line(EALING, "EALING-ACT", "80", "26.50", "reablement")]
    plan = lots.aggregate(demand, threshold=Decimal(800), locality_names={"BRENT-KIL": "Kilburn"})
    assert [lot.code for lot in plan] == ["HC-BRENT-KIL", "HC-EALING-ACT", "RB-EALING-ACT"]
    kilburn = plan[0]
    assert kilburn.name == "Home care, Kilburn" and kilburn.weekly_quantity == Decimal(660)
    assert [(s.member, s.share_bp) for s in kilburn.shares] == [(BRENT, 9091), (ICB, 909)]  # 600/660, 60/660
    # 600 h x 52 x £23.40 + 60 h x 52 x £24.75 = £730,080 + £77,220
    assert kilburn.annual_value == Money.parse("807300.00")
    assert kilburn.baseline_price == Money.parse("23.52")  # (600 x 23.40 + 60 x 24.75) / 660 = 23.5227
    assert [lot.too_big_for_sme for lot in plan] == [False, True, False]


def test_threshold_is_stated_else_the_median_sme_capacity_else_the_default() -> None:
    assert lots.sme_threshold(stated=Decimal(1200))[0] == Decimal(1200)
    value, why = lots.sme_threshold(sme_capacities=[Decimal(300), Decimal(900), Decimal(500)])
    assert value == Decimal(500) and "median" in why
    assert lots.sme_threshold()[0] == Decimal(1000)
    with pytest.raises(CarepoolError, match="above zero"):
        lots.sme_threshold(stated=Decimal(0))


def test_split_shares_out_each_members_hours_exactly() -> None:
    kilburn = lots.aggregate([line(BRENT, "BRENT-KIL", "600.01", "23.40"), line(ICB, "BRENT-KIL", "60.02", "24.75")],
                             threshold=Decimal(1000))[0]
    parts = lots.split(kilburn, 3, threshold=Decimal(250))
    assert [p.code for p in parts] == ["HC-BRENT-KIL-1", "HC-BRENT-KIL-2", "HC-BRENT-KIL-3"]
    for member in (BRENT, ICB):
        total = sum(s.weekly_quantity for p in parts for s in p.shares if s.member == member)
        assert total == sum(s.weekly_quantity for s in kilburn.shares if s.member == member)
    sizes = [p.weekly_quantity for p in parts]
    assert max(sizes) - min(sizes) <= Decimal("0.01") and all(sum(s.share_bp for s in p.shares) == 10_000
                                                              for p in parts)
    assert Money.sum(p.annual_value for p in parts).pence == pytest.approx(kilburn.annual_value.pence, abs=3)


def test_split_to_fit_and_merge() -> None:
    big = lots.aggregate([line(EALING, "EALING-ACT", "2500", "22.80")], threshold=Decimal(1000))[0]
    assert big.too_big_for_sme
    parts = lots.split_to_fit(big, Decimal(1000))
    assert [p.weekly_quantity for p in parts] == [Decimal("833.34"), Decimal("833.33"), Decimal("833.33")]
    assert not any(p.too_big_for_sme for p in parts)
    merged = lots.merge(parts, threshold=Decimal(1000), code="HC-EALING")
    assert merged.weekly_quantity == Decimal(2500) and merged.too_big_for_sme and len(merged.shares) == 1
    reablement = lots.aggregate([line(EALING, "EALING-ACT", "80", "26.50", "reablement")], threshold=Decimal(1))[0]
    with pytest.raises(CarepoolError, match="different services"):
        lots.merge([big, reablement], threshold=Decimal(1000))
    with pytest.raises(CarepoolError, match="split it into 2 to 50 parts, not 1"):
        lots.split(big, 1, threshold=Decimal(1000))
    with pytest.raises(CarepoolError, match="split it into 2 to 50 parts, not 100000"):  # a slip of the keyboard
        lots.split(big, 100_000, threshold=Decimal(1000))
    small = lots.aggregate([line(EALING, "EALING-ACT", "30", "26.50", "reablement")], threshold=Decimal(1))[0]
    with pytest.raises(CarepoolError, match="too small to split 40 ways"):
        lots.split(small, 40, threshold=Decimal(1000))
    with pytest.raises(CarepoolError, match="would need 2500 parts to come under the small-provider threshold of 1"):
        lots.split_to_fit(big, Decimal(1))


def test_a_member_paying_two_prices_in_a_merged_lot_is_one_share_of_it_as_shown() -> None:
    plan = lots.aggregate([line(EALING, "EALING-ACT", "400", "22.80"), line(EALING, "EALING-EAL", "450", "24.10"),
                           line(ICB, "EALING-EAL", "150", "24.75")], threshold=Decimal(1000))
    merged = lots.merge(plan, threshold=Decimal(1000))
    assert len([s for s in merged.shares if s.member == EALING]) == 2  # two prices: kept apart for exact savings
    assert merged.member_points == {EALING: 8500, ICB: 1500}  # 850 of 1,000 hours: one line per member


@given(st.lists(st.integers(min_value=1, max_value=500_000), min_size=1, max_size=5), st.integers(2, 9))
def test_any_split_adds_back_up_member_by_member(hundredths: list[int], parts: int) -> None:
    shares = lots.with_share_points([MemberShare(f"M{i}", Decimal(h) / 100, Money.parse("23.00"))
                                     for i, h in enumerate(hundredths)])
    lot = LotDesign("HC-X", "X", "home-care", ("X",), shares)
    if sum(hundredths) < 100 * parts:
        return
    pieces = lots.split(lot, parts, threshold=Decimal(1))
    for share in shares:
        assert sum(s.weekly_quantity for p in pieces for s in p.shares if s.member == share.member) == \
            share.weekly_quantity
    assert sum(p.weekly_quantity for p in pieces) == lot.weekly_quantity


def test_a_lot_whose_code_could_not_name_its_contracts_is_said_to_be_too_long() -> None:
    lot = lots.aggregate([line(EALING, "EALING-ACT", "400", "22.80")], threshold=Decimal(1000))[0]
    long_coded = LotDesign("HC-" + "E" * 37, lot.name, lot.service, lot.localities, lot.shares)
    assert lots.too_long(long_coded) is None  # 40 characters: "CP-2026-001-<code>-01" is 55
    parts = lots.split(long_coded, 2, threshold=Decimal(1000))
    assert lots.too_long(parts[0]) == (
        "its code would be 42 characters, and a lot's code is at most 40 (it names the lot's contracts): split or "
        "merge fewer times, or rebuild the lots from demand")
    named = LotDesign(lot.code, "N" * 201, lot.service, lot.localities, lot.shares)
    assert lots.too_long(named) == "its name would be 201 characters; at most 200"
