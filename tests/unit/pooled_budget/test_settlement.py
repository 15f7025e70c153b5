"""Settlements worked by hand, one per rule: the numbers a finance officer would check."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.pooled_budget.io import agreement_from_json
from carepool.pooled_budget.model import Capped, CarryForward, Excess, FixedShares, Lead, Proportional
from carepool.pooled_budget.settlement import check_settlement, settle
from tests.unit.pooled_budget.pool_builders import (
    COUNCIL,
    COUNTY,
    ICB,
    herefordshire,
    m,
    pool,
    scheme,
    shares,
)


def positions(result):
    return {p.code: (p.contribution.plain(), p.overspend_share.plain(), p.underspend_share.plain(),
                     p.final_cost.plain()) for p in result.partners}


def test_herefordshire_equipment_store_worked_by_hand():
    result = settle(agreement_from_json(herefordshire()))
    # Each paid 282,000 into the store and 10,000 into the contingency. Spend 590,000 against a
    # 564,000 budget is 26,000 over; the contingency takes 20,000, the other 6,000 is split 50:50.
    assert positions(result) == {
        COUNCIL: ("292000.00", "3000.00", "0.00", "295000.00"),
        ICB: ("292000.00", "3000.00", "0.00", "295000.00"),
    }
    (ices,) = result.schemes
    assert (ices.budget, ices.variance, ices.contingency_used, ices.remaining) == (
        m("564000"), m("26000"), m("20000"), m("6000"))
    assert result.contingency is not None and result.contingency.used == m("20000")
    assert result.total_final_cost == m("590000")
    assert check_settlement(result) == []


def test_fixed_shares_50_30_20_on_reablement():
    reablement = scheme("REAB", {COUNCIL: "1000000", ICB: "600000", COUNTY: "400000"}, "2312400",
                        overspend=FixedShares(shares(E06000019="0.5", QGH="0.3", E10000034="0.2")),
                        name="Reablement")
    result = settle(pool(reablement, partners=(COUNCIL, ICB, COUNTY)))
    assert {c: a.plain() for c, a in result.schemes[0].shares.items()} == {
        COUNCIL: "156200.00", ICB: "93720.00", COUNTY: "62480.00"}
    assert ("Overspend on Reablement £312,400.00: split 50/30/20 under the fixed-shares rule"
            in result.schemes[0].explanation[-1])


def test_lead_commissioner_bears_the_overspend_and_gets_the_underspend():
    over = scheme("CHC", {COUNCIL: "50000", ICB: "150000"}, "210000", overspend=Lead(ICB))
    under = scheme("HOME", {COUNCIL: "80000", ICB: "20000"}, "95000", underspend=Lead(COUNCIL))
    result = settle(pool(over, under))
    assert result.schemes[0].shares == {COUNCIL: m("0"), ICB: m("10000")}
    assert result.schemes[1].shares == {COUNCIL: m("-5000"), ICB: m("0")}
    assert positions(result)[ICB] == ("170000.00", "10000.00", "0.00", "180000.00")
    assert positions(result)[COUNCIL] == ("130000.00", "0.00", "-5000.00", "125000.00")


@pytest.mark.parametrize(
    ("excess", "council", "icb", "unallocated"),
    [(Excess.HOST, "75000.00", "25000.00", "0.00"), (Excess.UNALLOCATED, "60000.00", "25000.00", "15000.00")],
)
def test_capped_overspend(excess, council, icb, unallocated):
    # 100,000 over, split 60/40 by contributions = 60,000 / 40,000; the ICB is capped at 25,000.
    rule = Capped(Proportional(), {ICB: m("25000")}, excess)
    result = settle(pool(scheme("LD", {COUNCIL: "600000", ICB: "400000"}, "1100000", overspend=rule)))
    assert {c: a.plain() for c, a in result.schemes[0].shares.items()} == {COUNCIL: council, ICB: icb}
    assert result.unallocated.plain() == unallocated
    assert result.total_final_cost == m("1100000") - result.unallocated


def test_host_absorbs_the_excess_even_beyond_its_own_cap():
    rule = Capped(FixedShares(shares(E06000019="0.6", QGH="0.4")), {COUNCIL: m("50000"), ICB: m("30000")},
                  Excess.HOST)
    result = settle(pool(scheme("LD", {COUNCIL: "500000", ICB: "500000"}, "1100000", overspend=rule)))
    # base 60,000 / 40,000; cut to 50,000 / 30,000; the 20,000 excess goes back to the host
    assert result.schemes[0].shares == {COUNCIL: m("70000"), ICB: m("30000")}
    assert "excess £20,000.00 borne by the host Herefordshire Council" in result.schemes[0].explanation[-1]


def test_carry_forward_keeps_the_underspend_in_the_pool():
    result = settle(pool(scheme("DFG", {COUNCIL: "100000", ICB: "100000"}, "180000",
                                underspend=CarryForward())))
    assert result.carried_forward == m("20000")
    assert result.schemes[0].shares == {COUNCIL: m("0"), ICB: m("0")}
    assert [p.final_cost for p in result.partners] == [m("100000"), m("100000")]
    assert result.total_final_cost == result.total_actual + result.carried_forward


def test_offset_across_two_schemes():
    equipment = scheme("ICES", {COUNCIL: "100000", ICB: "100000"}, "230000")  # 30,000 over, 50:50
    reablement = scheme("REAB", {COUNCIL: "70000", ICB: "30000"}, "90000")  # 10,000 under, 70:30
    apart = settle(pool(equipment, reablement))
    assert apart.schemes[0].shares == {COUNCIL: m("15000"), ICB: m("15000")}
    assert apart.schemes[1].shares == {COUNCIL: m("-7000"), ICB: m("-3000")}
    netted = settle(pool(equipment, reablement, offset=True))
    assert [s.offset for s in netted.schemes] == [m("10000"), m("10000")]
    assert netted.schemes[0].shares == {COUNCIL: m("10000"), ICB: m("10000")}
    assert netted.schemes[1].shares == {COUNCIL: m("0"), ICB: m("0")}
    assert [p.final_cost for p in netted.partners] == [m("180000"), m("140000")]


def test_offset_shares_the_underspend_among_overspent_schemes_by_their_overspends():
    result = settle(pool(scheme("A", {COUNCIL: "100", ICB: "100"}, "230"),  # 30 over
                         scheme("B", {COUNCIL: "100", ICB: "100"}, "210"),  # 10 over
                         scheme("C", {COUNCIL: "100", ICB: "100"}, "180"),  # 20 under
                         offset=True))
    assert [s.remaining for s in result.schemes] == [m("15"), m("5"), m("0")]


def test_contingency_larger_than_the_overspend_returns_the_rest_to_its_funders():
    agreement = pool(scheme("ICES", {COUNCIL: "100000", ICB: "100000"}, "220000"),
                     contingency=("50000", {COUNCIL: "30000", ICB: "20000"}))
    result = settle(agreement)
    assert result.contingency is not None
    assert result.contingency.used == m("20000")
    assert result.contingency.returned == {COUNCIL: m("18000"), ICB: m("12000")}
    assert positions(result) == {
        COUNCIL: ("130000.00", "0.00", "-18000.00", "112000.00"),
        ICB: ("120000.00", "0.00", "-12000.00", "108000.00"),
    }
    assert result.total_final_cost == m("220000")


def test_underspend_is_returned_in_proportion_as_negative_shares():
    result = settle(pool(scheme("ICES", {COUNCIL: "300", ICB: "100"}, "0")))
    assert result.schemes[0].shares == {COUNCIL: m("-300"), ICB: m("-100")}
    assert all(p.final_cost == Money.zero() for p in result.partners)


def test_a_penny_split_50_50_goes_to_the_partner_listed_first():
    # contributions listed council-first, but the ICB is listed first among the partners
    result = settle(pool(scheme("ICES", {COUNCIL: "100", ICB: "100"}, "200.01"), partners=(ICB, COUNCIL)))
    assert result.schemes[0].shares == {ICB: m("0.01"), COUNCIL: m("0")}
    under = settle(pool(scheme("ICES", {COUNCIL: "100", ICB: "100"}, "199.99")))
    assert under.schemes[0].shares == {COUNCIL: m("-0.01"), ICB: m("0")}


def test_a_penny_of_offset_goes_to_the_scheme_listed_first():
    result = settle(pool(scheme("A", {COUNCIL: "5", ICB: "5"}, "20"),
                         scheme("B", {COUNCIL: "5", ICB: "5"}, "20"),
                         scheme("C", {COUNCIL: "5", ICB: "5"}, "9.99"), offset=True))
    assert [s.offset for s in result.schemes] == [m("0.01"), m("0"), m("0.01")]


def test_thirds_round_to_the_penny_and_still_add_up():
    three = (COUNCIL, ICB, COUNTY)
    result = settle(pool(scheme("X", {c: "1" for c in three}, "4"), partners=three))
    assert [s.plain() for s in result.schemes[0].shares.values()] == ["0.34", "0.33", "0.33"]


def test_settle_refuses_an_invalid_agreement():
    bad = scheme("X", {COUNCIL: "1", ICB: "1"}, "3", overspend=FixedShares({COUNCIL: Decimal("0.9")}))
    with pytest.raises(CarepoolError, match=r"scheme X, field overspend.shares: shares add up to 0.9"):
        settle(pool(bad))


def test_check_settlement_catches_a_penny_out():
    result = settle(agreement_from_json(herefordshire()))
    broken = replace(result.partners[0], contribution=m("292000.01"))
    tampered = replace(result, partners=(broken, result.partners[1]))
    assert any("final costs add up to" in p for p in check_settlement(tampered))
