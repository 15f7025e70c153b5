"""Every rule holds exactly on the plan as reported, not only within the solver's tolerance.

The engine solves in floats (HiGHS: primal feasibility 1e-7, MIP feasibility 1e-6) and reports
quantities to 0.01 of a unit and money to the penny. These tests read the reported JSON back
with every number exact (``Decimal``) and check each rule on it: each lot covered exactly,
``max_quantity`` and capacity, the minimum award, the winners per lot, and the share and SME
rules in every money the plan is shown in (the exact value price x quantity, the weekly costs
the JSON reports, and the yearly values procurement stores: quantity x price x 52 rounded once
per line).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from carepool.award.engine import optimise
from carepool.award.exact import ExactRules
from carepool.award.instance import build_instance
from carepool.award.io import to_json
from carepool.award.model import AwardResult, JsonDecimal, parse_problem
from carepool.core.errors import CarepoolError

PENNY = Decimal("0.01")
WEEKS = 52


def _penny(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def _exact(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data), parse_float=JsonDecimal)


def solve(data: dict[str, Any], **kwargs: Any) -> tuple[AwardResult, dict[str, Any]]:
    result = optimise(parse_problem(_exact(data)), time_limit=kwargs.pop("time_limit", 20.0), **kwargs)
    return result, json.loads(to_json(result), parse_float=Decimal)


def rules_broken(data: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Each rule the reported plan ``out`` breaks, in exact decimal arithmetic (empty when it keeps them all)."""
    rules = data.get("rules", {})
    lots = {lot["id"]: lot for lot in data["lots"]}
    providers = {p["id"]: p for p in data["providers"]}
    bids = {(b["provider"], b["lot"]): b for b in data["bids"]}
    fraction = Decimal(str(rules.get("min_award_fraction", 0)))
    broken: list[str] = []
    covered: dict[str, Decimal] = defaultdict(Decimal)
    winners: dict[str, int] = defaultdict(int)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    value: dict[str, dict[str, Decimal]] = {"exact": defaultdict(Decimal), "weekly": defaultdict(Decimal),
                                            "yearly": defaultdict(Decimal)}
    for a in out["awards"]:
        q, price, cost = Decimal(a["quantity"]), Decimal(a["price"]), Decimal(a["cost"])
        bid, lot = bids[(a["provider"], a["lot"])], lots[a["lot"]]
        quantity = Decimal(str(lot["quantity"]))
        where = f"{a['provider']} on {a['lot']} ({q})"
        if q <= 0 or q != q.quantize(PENNY):
            broken.append(f"{where}: not a positive quantity in hundredths")
        if Decimal(bid["price"]) != price or cost != _penny(price * q):
            broken.append(f"{where}: cost {cost} is not {price} x {q}")
        if "max_quantity" in bid and q > Decimal(str(bid["max_quantity"])):
            broken.append(f"{where}: above max_quantity {bid['max_quantity']}")
        if q > quantity or q < fraction * quantity:
            broken.append(f"{where}: outside [{fraction * quantity}, {quantity}]")
        if "min_quality" in rules and Decimal(str(bid.get("quality", 0))) < Decimal(str(rules["min_quality"])):
            broken.append(f"{where}: below min_quality")
        covered[a["lot"]] += q
        winners[a["lot"]] += 1
        hours[a["provider"]] += q
        value["exact"][a["provider"]] += price * q
        value["weekly"][a["provider"]] += cost
        value["yearly"][a["provider"]] += _penny(price * q * WEEKS)
    for lot_id, lot in lots.items():
        if covered[lot_id] != Decimal(str(lot["quantity"])):
            broken.append(f"lot {lot_id}: covered {covered[lot_id]} of {lot['quantity']}")
        if winners[lot_id] > lot.get("max_providers", 1):
            broken.append(f"lot {lot_id}: {winners[lot_id]} winners, more than {lot.get('max_providers', 1)}")
    for p, used in hours.items():
        if providers[p].get("capacity") is not None and used > Decimal(str(providers[p]["capacity"])):
            broken.append(f"{p}: {used} above capacity {providers[p]['capacity']}")
    for pkg in out.get("package_discounts", []):
        share = Decimal(pkg["discount"])
        lines = [a for a in out["awards"] if a["provider"] == pkg["provider"] and a["lot"] in pkg["lots"]]
        if len(lines) != len(pkg["lots"]) or Decimal(pkg["amount"]) != _penny(share * sum(
                (Decimal(a["cost"]) for a in lines), Decimal(0))):
            broken.append(f"package {pkg}: not {share} of the provider's costs on all its lots")
        value["exact"][pkg["provider"]] -= share * sum((Decimal(a["price"]) * Decimal(a["quantity"]) for a in lines),
                                                       Decimal(0))
        value["weekly"][pkg["provider"]] -= Decimal(pkg["amount"])
        value["yearly"][pkg["provider"]] -= _penny(share * sum(
            (_penny(Decimal(a["price"]) * Decimal(a["quantity"]) * WEEKS) for a in lines), Decimal(0)))
    if Decimal(out["total_cost"]) != sum(value["weekly"].values(), Decimal(0)):
        broken.append(f"total_cost {out['total_cost']} is not the sum of the costs less the package discounts")
    for money, values in value.items():
        total = sum(values.values(), Decimal(0))
        if rules.get("max_share") is not None:
            cap = Decimal(str(rules["max_share"]))
            broken += [f"{p} holds {v} of {total} ({money}), above {cap}" for p, v in values.items() if v > cap * total]
        if rules.get("min_sme_share") is not None:
            floor = Decimal(str(rules["min_sme_share"]))
            sme = sum((v for p, v in values.items() if providers[p].get("sme")), Decimal(0))
            if sme < floor * total:
                broken.append(f"SMEs hold {sme} of {total} ({money}), below {floor}")
    return broken


def _amount(draw: Any, low: int, high: int, *, places: int = 2) -> str:
    """A number drawn in units of 10^-places, as text (exact)."""
    return str(Decimal(draw(st.integers(low, high))).scaleb(-places))


@st.composite
def tight_tenders(draw: Any, *, packages: bool = False) -> dict[str, Any]:
    """Small tenders where the rules bind: several providers at the share cap, SMEs at their floor, quantities
    and capacities in hundredths (now and then in thousandths), close prices in pence, minimum awards that
    fall between two hundredths."""
    n_lots = draw(st.integers(1, 3))
    n_providers = draw(st.integers(4, 8))
    lots = [{"id": f"L{i}", "quantity": _amount(draw, 100, 60_000), "unit": "hour/week",
             "max_providers": draw(st.sampled_from([2, 3, 3, 4, 1]))} for i in range(n_lots)]
    providers = []
    for p in range(n_providers):
        item: dict[str, Any] = {"id": f"P{p}", "sme": draw(st.booleans())}
        if draw(st.integers(0, 2)) == 0:
            places = draw(st.sampled_from([2, 2, 3]))
            item["capacity"] = _amount(draw, 100 * 10 ** (places - 2), 40_000 * 10 ** (places - 2), places=places)
        providers.append(item)
    base = draw(st.integers(1_500, 2_500))  # pence: close prices put several providers at the cap together
    bids = []
    for lot in lots:
        for provider in providers:
            if draw(st.integers(0, 9)) < 9:
                bid: dict[str, Any] = {"provider": provider["id"], "lot": lot["id"],
                                       "price": _amount(draw, base - 300, base + 300),
                                       "quality": draw(st.sampled_from([70, 85, 60, 95, 45]))}
                if draw(st.integers(0, 2)) == 0:
                    places = draw(st.sampled_from([2, 2, 3]))
                    bid["max_quantity"] = _amount(draw, 100 * 10 ** (places - 2), 40_000 * 10 ** (places - 2),
                                                  places=places)
                bids.append(bid)
    if not bids:
        bids.append({"provider": "P0", "lot": "L0", "price": "20.00"})
    rules: dict[str, Any] = {"objective": draw(st.sampled_from(["cost", "cost", "value"])), "quality_weight": "0.3",
                             "min_award_fraction": draw(st.sampled_from(["0", "0.1", "0.2", "0.25", "0.3", "0.333"]))}
    share = draw(st.sampled_from([None, "0.25", "0.3", "0.3", "0.34", "0.4", "0.5", "0.6"]))
    if share is not None:
        rules["max_share"] = share
    sme = draw(st.sampled_from([None, None, "0.2", "0.3", "0.45", "0.5"]))
    if sme is not None:
        rules["min_sme_share"] = sme
    if draw(st.integers(0, 3)) == 0:
        rules["min_quality"] = 50
    data = {"tender": "hypothesis", "currency": "GBP", "lots": lots, "providers": providers, "bids": bids,
            "rules": rules}
    if packages:
        lots_of: dict[str, list[str]] = defaultdict(list)
        for bid in bids:
            lots_of[bid["provider"]].append(bid["lot"])
        data["packages"] = [{"provider": p, "lots": won, "discount": draw(st.sampled_from(["0.05", "0.03", "0.075"]))}
                            for p, won in lots_of.items() if len(won) >= 2 and draw(st.booleans())]
    return data


def check(data: dict[str, Any], **kwargs: Any) -> None:
    """A plan keeps every rule exactly; failing that, the engine says why (never a plan breaking one)."""
    try:
        _, out = solve(data, time_limit=3.0, **kwargs)
    except CarepoolError as error:
        # infeasible, or (when a provider must hold exactly max_share, to the penny in every money) no exact
        # plan found in time: either way no plan is passed off as keeping the rules
        assert error.kind in ("infeasible", "timed_out"), error
        event(f"refused: {error.kind}")
        return
    event(f"plan: {out['status']}")
    broken = rules_broken(data, out)
    assert not broken, (broken, out["status"], data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tight_tenders())
def test_every_rule_holds_exactly_on_the_reported_plan(data):
    check(data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tight_tenders(packages=True))
def test_every_rule_holds_exactly_with_package_discounts(data):
    check(data, use_packages=True)


# --- found by the properties above: each broke a rule before the plan was checked exactly ---------------


def _lot(quantity: str, max_providers: int, bids: list[tuple[str, str]], **rules: Any) -> dict[str, Any]:
    """One lot of ``quantity`` hours a week, one bid per provider (name, price)."""
    return {"tender": "t", "lots": [{"id": "L", "quantity": quantity, "max_providers": max_providers}],
            "providers": [{"id": name} for name, _ in bids],
            "bids": [{"provider": name, "lot": "L", "price": price} for name, price in bids], "rules": rules}


def test_three_providers_at_a_30_percent_cap_stay_within_it_to_the_penny():
    # 725.20 hours among four bids, max_share 30%: the three cheapest sit exactly at the cap. Rounded to
    # hundredths, D was reported with 228.05 hours: £3,641.96 of £12,138.81 a week, £16.41 a year over 30%
    # (the JSON's share still said 0.3). Moving a hundredth to another capped provider broke that one instead.
    data = _lot("725.20", 4, [("A", "16.66"), ("B", "16.92"), ("C", "19.16"), ("D", "15.97")], max_share="0.3")
    result, out = solve(data)
    assert rules_broken(data, out) == []
    assert result.status.value == "optimal"
    yearly = {a["provider"]: _penny(Decimal(a["price"]) * Decimal(a["quantity"]) * WEEKS) for a in out["awards"]}
    assert max(yearly.values()) <= Decimal("0.3") * sum(yearly.values())


def test_a_minimum_award_between_two_hundredths_is_rounded_up():
    # 30% of 10.01 hours is 3.003: B must win at least 3.01 (it was reported with 3.00)
    data = _lot("10.01", 2, [("A", "10.00"), ("B", "12.00")], min_award_fraction="0.3")
    data["bids"][0]["max_quantity"] = 9
    result, out = solve(data)
    assert rules_broken(data, out) == []
    assert {a["provider"]: a["quantity"] for a in out["awards"]} == {"A": Decimal(7), "B": Decimal("3.01")}
    assert result.status.value == "optimal"


def test_a_max_quantity_between_two_hundredths_is_rounded_down():
    # A offers at most 10.005 hours: it was reported with 10.01
    data = _lot("20.01", 2, [("A", "10.00"), ("B", "12.00")])
    data["bids"][0]["max_quantity"] = "10.005"
    _, out = solve(data)
    assert rules_broken(data, out) == []
    assert {a["provider"]: a["quantity"] for a in out["awards"]}["A"] == Decimal(10)


def test_a_split_that_exists_only_in_fractions_of_a_hundredth_is_infeasible_not_optimal():
    # 1.01 hours, at most two winners, none above half: two halves of 0.505 hours were reported as 0.51 and
    # 0.50 ("optimal", A at 50.5%). No split in hundredths keeps the rule, and the engine says so.
    data = _lot("1.01", 2, [("A", "10.00"), ("B", "10.00"), ("C", "10.00")], max_share="0.5")
    with pytest.raises(CarepoolError) as error:
        solve(data)
    assert error.value.kind == "infeasible" and "hundredths" in str(error.value)
    # with a third winner allowed the exact model finds the cheapest exact plan, and proves it
    data = _lot("1.01", 3, [("A", "10.00"), ("B", "10.00"), ("C", "11.00")], max_share="0.5")
    result, out = solve(data)
    assert rules_broken(data, out) == []
    assert sorted(a["quantity"] for a in out["awards"]) == [Decimal("0.01"), Decimal("0.5"), Decimal("0.5")]
    assert result.status.value == "optimal" and result.total_cost.plain() == "10.11"


def test_two_providers_at_exactly_half_cannot_both_be_kept_at_it():
    # 100 hours at £19.99 and £23.33, max_share 50%: equal values need 2,333 x 1,999 hundredths-multiples that
    # add to 10,000, which none do; the engine once reported a plan with one of them over half
    data = _lot("100", 2, [("P1", "19.99"), ("P2", "23.33")], max_share="0.5")
    with pytest.raises(CarepoolError) as error:
        solve(data)
    assert error.value.kind == "infeasible"


def test_shares_are_checked_in_each_money_the_plan_is_shown_in():
    # 0.01 hours each at £10.01 and £10.00: 10p and 10p a week (half each), but £5.21 and £5.20 a year, as
    # procurement rounds each contract line (hours x price x 52), and 10.01p against 10p exactly
    data = _lot("0.02", 2, [("A", "10.01"), ("B", "10.00")], max_share="0.5")
    rules = ExactRules(build_instance(parse_problem(_exact(data))))
    assert rules.broken(np.array([1, 1])) == ["a provider is over max_share in exact value",
                                              "a provider is over max_share in yearly values"]
    with pytest.raises(CarepoolError) as error:  # and no split of two hundredths keeps it
        solve(data)
    assert error.value.kind == "infeasible"


def test_four_providers_held_to_a_quarter_each_to_the_penny_is_impossible_here_and_said_so():
    # Shrunk by Hypothesis from a breach: three lots of 1.00 hour, at most two winners each, max_share 25%, so
    # each of four providers must hold exactly a quarter. The engine called a plan "optimal" whose weekly costs
    # kept 25% while P3 held £468.13 of £1,872.13 a year (and 9.0025 of 36.0025 exactly). No plan in hundredths
    # keeps it (checked by enumerating every split), and the engine now says so.
    prices = {"L0": ["12.00", "12.00", "12.00", "12.00"], "L1": ["12.00", "12.01", "12.01", "12.01"],
              "L2": ["12.00", None, "12.00", "12.00"]}
    data = {"tender": "t", "lots": [{"id": lot, "quantity": "1.00", "max_providers": 2} for lot in prices],
            "providers": [{"id": f"P{p}"} for p in range(4)],
            "bids": [{"provider": f"P{p}", "lot": lot, "price": price} for lot, row in prices.items()
                     for p, price in enumerate(row) if price is not None], "rules": {"max_share": "0.25"}}
    with pytest.raises(CarepoolError) as error:
        solve(data)
    assert error.value.kind == "infeasible"
