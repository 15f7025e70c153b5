"""JSON in and out for the award, and a readable table.

Input is read with ``parse_float=JsonDecimal`` so every JSON number is exact; money
must still be text (``"19.80"``) or a whole number of pounds, never ``19.8``.
Output follows the ``carepool tender award`` contract: money as two-decimal strings,
quantities to 0.01 of a unit, shares as fractions of 1, HHI on the 0-10,000 scale.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from carepool.award.model import AwardProblem, AwardResult, JsonDecimal, parse_problem
from carepool.core.jsonfile import load_json


def read_json(path: Path) -> Any:
    """The file's JSON, strictly (a repeated key is refused), every decimal number exact."""
    return load_json(path, parse_float=JsonDecimal)


def load_problem(path: Path) -> AwardProblem:
    """Read and validate an award input file; every mistake is one line naming where it is."""
    return parse_problem(read_json(path))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def result_to_dict(result: AwardResult) -> dict[str, Any]:
    """The contract's JSON object (plus ``details`` and, with packages, ``package_discounts``)."""

    def money(m: Any) -> str | None:
        return None if m is None else m.plain()

    data: dict[str, Any] = {
        "status": str(result.status),
        "total_cost": money(result.total_cost),
        "objective": money(result.objective),
        "gap": None if result.gap is None else round(result.gap, 8),
        "baseline_cost": money(result.baseline_cost),
        "savings": money(result.savings),
        "savings_pct": None if result.savings_pct is None else float(result.savings_pct),
        "awards": [
            {"provider": a.provider, "lot": a.lot, "quantity": _number(a.quantity), "price": a.price.plain(),
             "cost": a.cost.plain()}
            for a in result.awards
        ],
        "provider_shares": {p: float(s) for p, s in result.provider_shares.items()},
        "hhi": float(result.hhi),
        "sme_share": float(result.sme_share),
        "seconds": result.seconds,
        "details": {
            "solver": result.solver,
            "lower_bound": None if result.bound is None else round(result.bound, 2),
            "heuristic_cost": money(result.heuristic_cost),
            "quantity_decimals": 2,
            "hhi_scale": "0-10000 on value shares",
        },
    }
    if result.packages:
        data["package_discounts"] = [
            {"provider": p.provider, "lots": list(p.lots), "discount": str(p.discount), "amount": p.amount.plain()}
            for p in result.packages
        ]
    return data


def to_json(result: AwardResult) -> str:
    return json.dumps(result_to_dict(result), indent=2)


def _largest(shares: dict[str, Decimal]) -> str:
    if not shares:
        return "n/a"
    provider = max(shares, key=lambda p: shares[p])
    return f"{shares[provider]:.2%} {provider}"


def render_table(result: AwardResult, *, width: int = 110) -> str:
    """Awards and headline figures as plain-text tables (Rich), for people rather than programs."""
    from rich.console import Console
    from rich.table import Table

    awards = Table(title="Awards", show_lines=False)
    for name, justify in (("lot", "left"), ("provider", "left"), ("quantity", "right"), ("price", "right"),
                          ("cost", "right")):
        awards.add_column(name, justify=justify)  # type: ignore[arg-type]
    for a in sorted(result.awards, key=lambda a: (a.lot, a.provider)):
        awards.add_row(a.lot, a.provider, f"{a.quantity:,}", str(a.price), str(a.cost))
    summary = Table(title="Summary", show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    gap = "n/a" if result.gap is None else f"{result.gap:.4%}"
    rows = [
        ("status", f"{result.status} (gap {gap}, {result.seconds:.1f} s, {result.solver})"),
        ("total cost", str(result.total_cost)),
        ("objective", str(result.objective)),
        ("baseline cost", "n/a" if result.baseline_cost is None else str(result.baseline_cost)),
        ("savings", "n/a" if result.savings is None else f"{result.savings} ({result.savings_pct}%)"),
        ("SME share of value", f"{result.sme_share:.2%}"),
        ("HHI (0-10,000)", f"{result.hhi:,}"),
        ("largest provider share", _largest(result.provider_shares)),
    ]
    for p in result.packages:
        rows.append((f"package {p.provider} {'+'.join(p.lots)}", f"-{p.amount} ({p.discount:%})"))
    for what, value in rows:
        summary.add_row(what, value)
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(awards)
        console.print(summary)
    return capture.get()
