"""Random agreements: the settlement always adds up to the penny and every share has the right sign."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepool.core.money import Money
from carepool.pooled_budget.io import agreement_from_json
from carepool.pooled_budget.settlement import check_settlement, settle

CODES = ["E06000019", "QGH", "E10000034", "QRV", "E09000005"]


def pence(n: int) -> str:
    return Money(n).plain()


@st.composite
def split_of_one(draw: st.DrawFn, codes: list[str]) -> dict[str, str]:
    """Decimal shares with up to 4 places that add up to exactly 1."""
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=len(codes) - 1, max_size=len(codes) - 1)))
    bounds = [0, *cuts, 10_000]
    return {code: str(Decimal(bounds[i + 1] - bounds[i]).scaleb(-4)) for i, code in enumerate(codes)}


@st.composite
def rules(draw: st.DrawFn, codes: list[str], side: str) -> dict[str, Any]:
    kinds = ["proportional", "fixed", "lead", "capped" if side == "overspend" else "carry_forward"]
    kind = draw(st.sampled_from(kinds))
    if kind == "fixed":
        return {"rule": "fixed", "shares": draw(split_of_one(codes))}
    if kind == "lead":
        return {"rule": "lead", "partner": draw(st.sampled_from(codes))}
    if kind == "capped":
        base = draw(st.one_of(st.just("proportional"), split_of_one(codes).map(lambda s: {"shares": s})))
        capped = draw(st.lists(st.sampled_from(codes), unique=True))
        caps = {code: pence(draw(st.integers(0, 5_000_000))) for code in capped}
        return {"rule": "capped", "base": base, "caps": caps,
                "excess": draw(st.sampled_from(["host", "unallocated"]))}
    return {"rule": kind}


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=5, unique=True))
    schemes = []
    for index in range(draw(st.integers(1, 6))):
        paid = draw(st.lists(st.integers(0, 10_000_000), min_size=len(codes), max_size=len(codes))
                    .filter(lambda xs: sum(xs) > 0))
        actual = draw(st.integers(0, 2 * sum(paid) + 100))
        schemes.append({
            "id": f"S{index}", "name": f"Scheme {index}",
            "contributions": {code: pence(p) for code, p in zip(codes, paid, strict=True)},
            "actual": pence(actual),
            "overspend": draw(rules(codes, "overspend")),
            "underspend": draw(rules(codes, "underspend")),
        })
    data: dict[str, Any] = {
        "agreement": "Random pool", "year": "2024/25", "host": draw(st.sampled_from(codes)),
        "partners": [{"code": code, "name": f"Partner {code}"} for code in codes],
        "offset_across_schemes": draw(st.booleans()), "schemes": schemes,
    }
    if draw(st.booleans()):
        funded = {code: draw(st.integers(0, 3_000_000)) for code in codes}
        data["contingency"] = {"amount": pence(sum(funded.values())),
                               "funded": {code: pence(v) for code, v in funded.items()}}
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agreements())
def test_every_settlement_adds_up_to_the_penny(data: dict[str, Any]) -> None:
    agreement = agreement_from_json(data)
    result = settle(agreement)
    assert check_settlement(result) == []
    assert result.total_final_cost == result.total_actual + result.carried_forward - result.unallocated
    for p in result.partners:
        assert p.overspend_share.pence >= 0
        assert p.underspend_share.pence <= 0
        assert p.final_cost == p.contribution + p.overspend_share + p.underspend_share
    for s in result.schemes:
        assert all(share.pence * s.remaining.pence >= 0 for share in s.shares.values())
        assert abs(s.remaining.pence) <= abs(s.variance.pence)


@settings(max_examples=200, deadline=None)
@given(agreements())
def test_offset_and_contingency_take_what_they_should(data: dict[str, Any]) -> None:
    agreement = agreement_from_json(data)
    result = settle(agreement)
    over = sum(max(s.variance.pence, 0) for s in agreement.schemes)
    under = sum(max(-s.variance.pence, 0) for s in agreement.schemes)
    if agreement.offset_across_schemes:
        cancelled = min(over, under)
        over, under = over - cancelled, under - cancelled
        assert sum(s.offset.pence for s in result.schemes) == 2 * cancelled
        assert over == 0 or under == 0
    if result.contingency is not None:
        assert result.contingency.used.pence == min(result.contingency.amount.pence, over)
        returned = Money.sum(result.contingency.returned.values())
        assert returned == result.contingency.amount - result.contingency.used
    remaining_over = sum(max(s.remaining.pence, 0) for s in result.schemes)
    used = result.contingency.used.pence if result.contingency else 0
    assert remaining_over == over - used
