"""Small tenders whose best award can be worked out by hand."""

from __future__ import annotations

from decimal import Decimal

from carepool.award.model import Status
from tests.unit.award.award_builders import award, tender, won


def test_each_lot_goes_to_its_cheapest_bid_when_nothing_else_binds():
    result = award(tender(
        lots="L1 100 base=24.00; L2 200 base=24.00",
        providers="P1; P2; P3",
        bids="P1 L1 20.00; P2 L1 21.00; P3 L1 22.00; P1 L2 23.00; P2 L2 20.50; P3 L2 22.00",
    ))
    assert result.status is Status.OPTIMAL
    assert won(result) == {("P1", "L1"): "100", ("P2", "L2"): "200"}
    assert result.total_cost.plain() == "6100.00"  # 100 x 20.00 + 200 x 20.50
    assert result.baseline_cost.plain() == "7200.00"
    assert result.savings.plain() == "1100.00"
    assert result.savings_pct == Decimal("15.28")


def test_capacity_forces_the_second_cheapest_bid_on_one_lot():
    # P1 is cheapest on both lots but can deliver only 250 hours: it takes the lot where it saves most
    result = award(tender(
        lots="L1 100; L2 200",
        providers="P1 cap=250; P2",
        bids="P1 L1 20.00; P2 L1 20.50; P1 L2 19.00; P2 L2 21.00",
    ))
    assert won(result) == {("P2", "L1"): "100", ("P1", "L2"): "200"}
    assert result.total_cost.plain() == "5850.00"  # 100 x 20.50 + 200 x 19.00 (not 2000 + 4200)


def test_sme_floor_forces_an_sme_winner():
    data = tender(lots="L1 100", providers="P1; P2 sme", bids="P1 L1 20.00; P2 L1 21.00")
    assert won(award(data)) == {("P1", "L1"): "100"}
    data["rules"]["min_sme_share"] = "0.3"
    result = award(data)
    assert won(result) == {("P2", "L1"): "100"}
    assert result.sme_share == Decimal("1.0000")
    assert result.total_cost.plain() == "2100.00"


def test_min_award_fraction_forbids_slivers():
    data = tender(lots="L1 100 k=2", providers="P1; P2", bids="P1 L1 20.00 max=90; P2 L1 25.00")
    assert won(award(data)) == {("P1", "L1"): "90", ("P2", "L1"): "10"}  # a 10-hour sliver
    data["rules"]["min_award_fraction"] = "0.2"
    result = award(data)
    assert won(result) == {("P1", "L1"): "80", ("P2", "L1"): "20"}
    assert result.total_cost.plain() == "2100.00"  # 80 x 20 + 20 x 25, cheaper than P2 alone (2500)


def test_value_objective_picks_the_better_quality_bid_and_reports_real_money():
    data = tender(lots="L1 100", providers="P1; P2", bids="P1 L1 20.00 q=50; P2 L1 22.00 q=90",
                  objective="value", quality_weight="0.5")
    result = award(data)
    # 20.00 x (1 + 0.5 x 50/100) = 25.00 per hour against 22.00 x (1 + 0.5 x 10/100) = 23.10
    assert won(result) == {("P2", "L1"): "100"}
    assert result.total_cost.plain() == "2200.00"
    assert result.objective.plain() == "2310.00"
    data["rules"]["objective"] = "cost"
    assert won(award(data)) == {("P1", "L1"): "100"}


def test_max_share_spreads_the_value():
    result = award(tender(lots="L1 100; L2 100", providers="P1; P2",
                          bids="P1 L1 20.00; P1 L2 20.00; P2 L1 21.00; P2 L2 21.00", max_share="0.6"))
    assert result.total_cost.plain() == "4100.00"
    assert result.provider_shares == {"P1": Decimal("0.4878"), "P2": Decimal("0.5122")}
    assert result.hhi == Decimal("5003.0")  # (2000/4100 x 100)^2 + (2100/4100 x 100)^2 = 5002.97


def test_min_quality_makes_a_bid_ineligible():
    result = award(tender(lots="L1 100", providers="P1; P2", bids="P1 L1 18.00 q=40; P2 L1 21.00 q=60",
                          min_quality=50))
    assert won(result) == {("P2", "L1"): "100"}


def test_cost_is_price_times_reported_quantity_rounded_half_up():
    # the max_share rule makes quantities fractional; each cost is exactly price x quantity to the penny
    # (at 0.5 it could not be kept exactly: no split of 100.00 hours in hundredths gives each exactly half the
    # value; test_exact_rules shows the engine says so)
    result = award(tender(lots="L1 100 k=2", providers="P1; P2", bids="P1 L1 19.99; P2 L1 23.33",
                          max_share="0.6"))
    total = 0
    for a in result.awards:
        exact = a.price.amount * a.quantity
        assert a.cost.amount == exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        total += a.cost.pence
    assert sum(a.quantity for a in result.awards) == Decimal(100)
    assert total == result.total_cost.pence


def test_package_discount_changes_the_award_only_with_packages_switched_on():
    data = tender(lots="L1 100; L2 100", providers="P1; P2",
                  bids="P1 L1 20.00; P1 L2 21.00; P2 L1 20.50; P2 L2 20.00",
                  packages=[{"provider": "P1", "lots": ["L1", "L2"], "discount": "0.10"}])
    plain = award(data)
    assert won(plain) == {("P1", "L1"): "100", ("P2", "L2"): "100"}
    assert plain.total_cost.plain() == "4000.00"
    packaged = award(data, use_packages=True)
    assert won(packaged) == {("P1", "L1"): "100", ("P1", "L2"): "100"}
    assert packaged.total_cost.plain() == "3690.00"  # (2000 + 2100) less 10%
    assert [(p.provider, p.amount.plain()) for p in packaged.packages] == [("P1", "410.00")]


def test_package_discount_is_not_taken_when_the_set_is_not_won():
    data = tender(lots="L1 100; L2 100", providers="P1; P2",
                  bids="P1 L1 20.00; P1 L2 30.00; P2 L1 20.50; P2 L2 20.00",
                  packages=[{"provider": "P1", "lots": ["L1", "L2"], "discount": "0.05"}])
    result = award(data, use_packages=True)
    assert won(result) == {("P1", "L1"): "100", ("P2", "L2"): "100"}
    assert result.packages == ()
    assert result.total_cost.plain() == "4000.00"


def test_cbc_gives_the_same_award_on_a_hand_example():
    data = tender(lots="L1 100; L2 200", providers="P1 cap=250; P2",
                  bids="P1 L1 20.00; P2 L1 20.50; P1 L2 19.00; P2 L2 21.00")
    result = award(data, solver="cbc")
    assert result.status is Status.OPTIMAL
    assert result.solver == "cbc"
    assert result.total_cost.plain() == "5850.00"
