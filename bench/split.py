"""Savings split: every group of seven members' award run in worker processes, against one after another.

The consortium-scale tender of bench/award.py (50 lots in five areas) is shared by seven members: each lot's
demand is split 80/20 between two of them. Each of the 126 groups short of the whole consortium has its award
run on its own shares of the lots, as `carepool tender split` does, first one after another in this process (the
baseline), then by `coalitions.run` on two worker processes. It prints both times and their ratio, checks the two
give the same savings, and times the exact Shapley value and the least core on the game.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _instances import generate

from carepool.procurement import coalitions
from carepool.procurement.coalitions import CoalitionJob
from carepool.sharing import engine as sharing_engine
from carepool.sharing import model as sharing

MEMBERS = [f"M{i}" for i in range(1, 8)]


def shares(instance: dict[str, Any]) -> dict[str, dict[str, Decimal]]:
    """Each lot's hours by member: 80% to one member, 20% to the one three places on."""
    result = {}
    for index, lot in enumerate(instance["lots"]):
        hours = Decimal(str(lot["quantity"]))
        first = (hours * Decimal("0.8")).quantize(Decimal("0.01"))
        result[lot["id"]] = {MEMBERS[index % 7]: first, MEMBERS[(index + 3) % 7]: hours - first}
    return result


def job(instance: dict[str, Any], split: dict[str, dict[str, Decimal]], members: tuple[str, ...],
        time_limit: float) -> CoalitionJob:
    lots, baseline = [], Decimal(0)
    for lot in instance["lots"]:
        hours = sum((h for m, h in split[lot["id"]].items() if m in members), Decimal(0))
        if hours:
            lots.append({**lot, "quantity": str(hours)})
            baseline += hours * Decimal(lot["baseline_price"]) * 52
    ids = {lot["id"] for lot in lots}
    problem = {**instance, "lots": lots, "bids": [b for b in instance["bids"] if b["lot"] in ids]}
    pence = int((baseline * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return CoalitionJob(members, problem, pence, time_limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds for each group's award")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    instance = generate("consortium", seed=args.seed)
    split = shares(instance)
    groups = [tuple(sorted(c)) for c in sharing.all_coalitions(MEMBERS) if len(c) < len(MEMBERS)]
    tasks = [job(instance, split, g, args.time_limit) for g in groups]

    began = time.perf_counter()
    serial = [coalitions.value_of(task) for task in tasks]
    serial_seconds = time.perf_counter() - began
    began = time.perf_counter()
    pooled = coalitions.run(tasks, workers=args.workers)
    pooled_seconds = time.perf_counter() - began
    differ = [s.members for s, p in zip(serial, pooled, strict=True) if (s.saving, s.status) != (p.saving, p.status)]

    grand = job(instance, split, tuple(MEMBERS), args.time_limit)
    whole = coalitions.value_of(grand)
    game = sharing.Game(tuple(MEMBERS), {**{frozenset(v.members): v.saving for v in serial},
                                         frozenset(MEMBERS): whole.saving})
    began = time.perf_counter()
    shapley = sharing.in_pence(sharing.shapley(game), game.total)
    least = sharing_engine.least_core(game)
    split_seconds = time.perf_counter() - began

    statuses = sorted({v.status for v in serial})
    print(f"savings split bench: 7 members, {len(tasks)} groups' awards, consortium tender (seed {args.seed}), "
          f"{os.cpu_count()} cores")
    print(f"  one after another (baseline): {serial_seconds:7.2f} s  ({serial_seconds / len(tasks):.3f} s a group; "
          f"statuses {', '.join(statuses)})")
    print(f"  {args.workers} worker processes:          {pooled_seconds:7.2f} s  "
          f"(speed-up x{serial_seconds / pooled_seconds:.2f}, process start-up included)")
    print(f"  same savings and statuses both ways: {'yes' if not differ else f'no, {len(differ)} groups differ'}")
    print(f"  Shapley (exact, fractions) and the nucleolus (LPs) on the game: {split_seconds * 1000:.1f} ms; "
          f"core {'empty by £' + format(least.epsilon / 100, ',.2f') if least.core_empty else 'not empty'}; "
          f"both sum to the saving: {sum(shapley.values()) == game.total == sum(least.split.values())}")
    return 0 if not differ else 1


if __name__ == "__main__":
    raise SystemExit(main())
