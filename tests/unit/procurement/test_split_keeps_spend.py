"""Splitting or merging lots never changes what a member spends today, by a penny.

600.01 hours a week at £23.41 and 60.03 at £24.77 cost £807,725.21 a year. Rounding each part's hours x price x 52
on its own made that £807,725.22 split in two and £807,725.20 split in seven; each member's spend is now handed out
to the parts by largest remainder instead.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from carepool.core.money import Money
from carepool.procurement import lots
from carepool.procurement.model import DemandLine, LotDesign, share_annual

BRENT, ICB = "E09000005", "QRV"


def _kilburn() -> LotDesign:
    return lots.aggregate([DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal("600.01"), Money.parse("23.41")),
                           DemandLine(ICB, "home-care", "BRENT-KIL", Decimal("60.03"), Money.parse("24.77"))],
                          threshold=Decimal(1000))[0]


def _by_member(designs: list[LotDesign]) -> dict[str, Money]:
    spend: dict[str, Money] = {}
    for lot in designs:
        for share in lot.shares:
            spend[share.member] = spend.get(share.member, Money(0)) + share_annual(share)
    return spend


def test_the_lot_from_the_browser_walk_keeps_its_value_split_in_two_or_seven_and_merged_back() -> None:
    kilburn = _kilburn()
    assert kilburn.annual_value == Money.parse("807725.21")
    for parts in (2, 7):
        pieces = lots.split(kilburn, parts, threshold=Decimal(1000))
        assert Money.sum(p.annual_value for p in pieces) == Money.parse("807725.21"), parts
        assert _by_member(pieces) == _by_member([kilburn])
        merged = lots.merge(pieces, threshold=Decimal(1000))
        assert merged.annual_value == Money.parse("807725.21") and merged.shares == kilburn.shares


def test_a_part_spends_within_a_penny_of_its_own_hours_at_its_price() -> None:
    for piece in lots.split(_kilburn(), 7, threshold=Decimal(1000)):
        for share in piece.shares:
            exact = Decimal(share.baseline_price.pence) * share.weekly_quantity * 52
            assert abs(Decimal(share_annual(share).pence) - exact) < 1


members = st.sampled_from(["M1", "M2", "M3", "M4"])
prices = st.integers(min_value=1, max_value=100_000).map(Money)  # 1p to £1,000 an hour
hundredths = st.integers(min_value=1, max_value=25_000_000)  # 0.01 to 250,000 hours a week


@given(st.lists(st.tuples(members, hundredths, prices), min_size=1, max_size=6), st.integers(2, 12),
       st.integers(2, 5))
def test_any_split_keeps_each_members_spend_and_so_does_merging_back(
        lines: list[tuple[str, int, Money]], parts: int, again: int) -> None:
    built = lots.aggregate([DemandLine(member, "home-care", f"X{i}", Decimal(h) / 100, price)
                            for i, (member, h, price) in enumerate(lines)], threshold=Decimal(1))
    lot = built[0] if len(built) == 1 else lots.merge(built, threshold=Decimal(1))  # a member may pay two prices
    if lot.weekly_quantity < parts:
        return
    pieces = lots.split(lot, parts, threshold=Decimal(1))
    assert _by_member(pieces) == _by_member([lot])
    assert Money.sum(p.annual_value for p in pieces) == lot.annual_value
    first = pieces[0]
    if first.weekly_quantity >= again:  # a part split again still adds up to the part
        assert _by_member(lots.split(first, again, threshold=Decimal(1))) == _by_member([first])
    assert _by_member([lots.merge(pieces, threshold=Decimal(1))]) == _by_member([lot])
