"""Seeded, realistic award instances for tests and the benchmark.

Home care is bought in lots by geography: each *area* (a borough or a patch of a county)
has a handful of lots sized in hours per week. Most providers are small local agencies
(about 70% SMEs, capacity of a few hundred to a couple of thousand hours a week, bidding
only in their home area); the rest are large groups with lower prices that bid across
several areas and, for the biggest, nationally. Prices fall between about £18 and £28 an
hour, a little higher in London-like areas.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scale:
    name: str
    lots: int
    bids: int
    areas: int
    max_share: str
    min_sme_share: str


SCALES = {
    "consortium": Scale("consortium", lots=50, bids=300, areas=5, max_share="0.15", min_sme_share="0.3"),
    "region": Scale("region", lots=1_000, bids=10_000, areas=20, max_share="0.04", min_sme_share="0.3"),
    "nation": Scale("nation", lots=5_000, bids=100_000, areas=100, max_share="0.01", min_sme_share="0.3"),
}


def generate(scale: Scale | str, *, seed: int = 2026) -> dict[str, Any]:
    """A JSON-shaped award input (the ``carepool tender award`` contract)."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    rng = random.Random(seed)
    per_lot = scale.bids // scale.lots
    lots_per_area = scale.lots // scale.areas
    premium = [rng.choice([0.0, 0.0, 0.5, 1.0, 2.5]) for _ in range(scale.areas)]  # London-like areas dearer

    providers: list[dict[str, Any]] = []
    efficiency: list[float] = []

    def provider(kind: str, sme: bool, capacity: int, eff: float) -> int:
        providers.append({"id": f"P{len(providers) + 1:05d}", "name": f"{kind} {len(providers) + 1}",
                          "sme": sme, "capacity": capacity})
        efficiency.append(eff)
        return len(providers) - 1

    # local agencies: each covers a window of five neighbouring patches of its area
    n_local = max(8, round(0.8 * per_lot * lots_per_area / 4))
    local: list[list[list[int]]] = []  # area -> patch -> local providers covering it
    for _a in range(scale.areas):
        patches: list[list[int]] = [[] for _ in range(lots_per_area)]
        for _ in range(n_local):
            sme = rng.random() < 0.8
            capacity = rng.randrange(200, 1500, 50) if sme else rng.randrange(1500, 5000, 100)
            p = provider("Home care agency" if sme else "Care services",
                         sme, capacity, rng.uniform(0.0, 1.8) if sme else rng.uniform(-0.8, 0.8))
            centre = rng.randrange(lots_per_area)
            for j in range(max(0, centre - 2), min(lots_per_area, centre + 3)):
                patches[j].append(p)
        local.append(patches)
    # regional groups over three neighbouring areas, and a few national groups
    regional: list[list[int]] = [[] for _ in range(scale.areas)]
    for a in range(scale.areas):
        for _ in range(max(1, round(per_lot * 0.3 / 3))):
            p = provider("Care group", False, rng.randrange(3000, 10000, 100), rng.uniform(-2.2, -0.6))
            for b in {a, (a + 1) % scale.areas, (a + 2) % scale.areas}:
                regional[b].append(p)
    nationals = [provider("National care group", False, rng.randrange(8000, 20000, 500) * max(1, scale.areas // 10),
                          rng.uniform(-2.8, -1.5)) for _ in range(max(2, scale.areas // 10))]

    lots: list[dict[str, Any]] = []
    bids: list[dict[str, Any]] = []
    for a in range(scale.areas):
        for j in range(lots_per_area):
            quantity = int(min(6000, max(300, rng.lognormvariate(7.1, 0.55)))) // 10 * 10
            lot_id = f"A{a + 1:03d}-L{j + 1:02d}"
            lots.append({
                "id": lot_id, "name": f"Home care area {a + 1} patch {j + 1}", "quantity": quantity,
                "unit": "hour/week", "max_providers": 3 if quantity >= 2500 else 2,
                "baseline_price": f"{22.0 + premium[a] + rng.uniform(0.5, 2.0):.2f}",
            })
            n_nat = max(1, round(per_lot * 0.1))
            n_reg = max(1, round(per_lot * 0.3))
            chosen = rng.sample(nationals, min(n_nat, len(nationals)))
            chosen += rng.sample(regional[a], min(n_reg, len(regional[a])))
            pool = local[a][j]
            chosen += rng.sample(pool, min(len(pool), per_lot - len(chosen)))
            for p in chosen:
                sme = providers[p]["sme"]
                price = min(28.0, max(18.0, 22.0 + premium[a] + efficiency[p] + rng.gauss(0, 1.0)))
                quality = min(98, max(35, round(rng.gauss(72 if sme else 66, 12))))
                bid: dict[str, Any] = {"provider": providers[p]["id"], "lot": lot_id,
                                       "price": f"{price:.2f}", "quality": quality}
                if rng.random() < 0.5:
                    bid["max_quantity"] = max(100, int(quantity * rng.uniform(0.3, 0.9)) // 10 * 10)
                bids.append(bid)
    return {
        "tender": f"Home care {scale.name} 2026 (seed {seed})",
        "currency": "GBP",
        "lots": lots,
        "providers": providers,
        "bids": bids,
        "rules": {
            "objective": "cost",
            "quality_weight": 0,
            "min_quality": 50,
            "max_share": scale.max_share,
            "min_sme_share": scale.min_sme_share,
            "min_award_fraction": "0.2",
        },
    }
