"""Benchmark of the award optimiser on seeded, realistic tenders at three scales.

    python bench/award.py [--scales consortium,region,nation] [--time-limit S] [--ref-time-limit S]

For each scale, in one process and on the same instance:

* **engine**   ``carepool.award.engine.optimise`` (HiGHS; heuristic, LP, neighbourhoods, MILP):
               total and phase times, first feasible plan, status, gap, cost against the greedy
               heuristic (the baseline a spreadsheet would give);
* **raw MPS**  the same MILP written as MPS and solved by highspy directly, cold (our overhead
               ratio = engine seconds / raw seconds, at the same time limit);
* **CBC**      the same MILP through PuLP and CBC, cold: the external reference.

Targets (2 cores): consortium optimal < 5 s; region first plan < 10 s and gap <= 1e-4 < 30 s,
faster than CBC; nation gap < 1% within 120 s; model building < 20% of the engine's time.
Results also go to bench/out/award.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _instances import SCALES, generate

from carepool.award.engine import Timings, optimise
from carepool.award.instance import build_instance
from carepool.award.milp import build_model
from carepool.award.model import JsonDecimal, parse_problem
from carepool.award.policy import SearchPolicy
from carepool.award.solvers import new_highs, solve_cbc, to_highs

DEFAULT_LIMITS = {"consortium": 30.0, "region": 30.0, "nation": 120.0}
GAPS = {"consortium": 1e-6, "region": 1e-4, "nation": 1e-4}


def raw_highs_on_mps(model: Any, time_limit: float, rel_gap: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "award.mps")
        began = time.perf_counter()
        to_highs(model).writeModel(path)
        written = time.perf_counter() - began
        h = new_highs()
        h.readModel(path)
        h.setOptionValue("time_limit", time_limit)
        h.setOptionValue("mip_rel_gap", rel_gap)
        began = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - began
    info = h.getInfo()
    found = info.primal_solution_status == 2
    return {"status": h.modelStatusToString(h.getModelStatus()), "seconds": round(seconds, 2),
            "write_mps_seconds": round(written, 2),
            "objective": round(info.objective_function_value, 2) if found else None,
            "bound": round(info.mip_dual_bound, 2), "gap": info.mip_gap if found else None}


def cbc_reference(model: Any, time_limit: float, rel_gap: float) -> dict[str, Any]:
    began = time.perf_counter()
    outcome = solve_cbc(model, time_limit=time_limit, rel_gap=rel_gap)
    seconds = time.perf_counter() - began
    gap = None
    if outcome.objective is not None and outcome.bound is not None:
        gap = max(0.0, (outcome.objective - outcome.bound) / abs(outcome.objective))
    objective = None if outcome.objective is None else round(outcome.objective, 2)
    return {"status": "optimal" if outcome.proven else ("feasible" if outcome.x is not None else "no plan"),
            "seconds": round(seconds, 2), "objective": objective,
            "bound": None if outcome.bound is None else round(outcome.bound, 2), "gap": gap, "write_mps_seconds": None}


def _child(queue: Any, fn: Any, args: tuple) -> None:
    os.setpgrp()  # own process group: a CBC run by PuLP inside it dies with it
    queue.put(fn(*args))


def capped(fn: Any, args: tuple, cap: float) -> dict[str, Any]:
    """Run a reference solve in a child process; past ``cap`` seconds kill it and all it started.

    Both references overrun their own time limits on the nation scale (HiGHS 255 s and CBC
    216 s for a 60 s limit, in their root LP and preprocessing), so the wall clock is enforced here.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    began = time.perf_counter()
    child = context.Process(target=_child, args=(queue, fn, args))
    child.start()
    child.join(cap)
    if child.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.join()
        return {"status": f"killed at {cap:.0f} s", "seconds": round(time.perf_counter() - began, 2),
                "objective": None, "bound": None, "gap": None, "write_mps_seconds": None}
    return queue.get() if not queue.empty() else {"status": "crashed", "seconds": None, "objective": None,
                                                   "bound": None, "gap": None, "write_mps_seconds": None}


def run_scale(name: str, time_limit: float, ref_limit: float, *, seed: int = 2026,
              search_share: float | None = None) -> dict[str, Any]:
    scale = SCALES[name]
    began = time.perf_counter()
    data = json.loads(json.dumps(generate(scale, seed=seed)), parse_float=JsonDecimal)
    problem = parse_problem(data)
    parse_seconds = time.perf_counter() - began
    timings = Timings()
    policy = SearchPolicy.for_size(len(problem.bids))
    if search_share is not None:
        policy = replace(policy, search_share=search_share)
    result = optimise(problem, time_limit=time_limit, rel_gap=GAPS[name], timings=timings, policy=policy)
    engine = {
        "policy": asdict(policy),
        "status": str(result.status), "seconds": round(timings.total, 2), "gap": result.gap,
        "total_cost": result.total_cost.plain(), "heuristic_cost": None if result.heuristic_cost is None
        else result.heuristic_cost.plain(),
        "cost_vs_greedy": None if result.heuristic_cost is None
        else round(result.total_cost.pence / result.heuristic_cost.pence, 5),
        "first_plan_seconds": None if timings.first_plan is None else round(timings.first_plan, 2),
        "phases": {k: round(getattr(timings, k), 2) for k in ("prepare", "heuristic", "build", "improve", "solve")},
        "build_share": round((timings.prepare + timings.build) / max(timings.total, 1e-9), 4),
        "sme_share": float(result.sme_share), "hhi": float(result.hhi),
        "savings_pct": None if result.savings_pct is None else float(result.savings_pct),
    }
    model = build_model(build_instance(problem))
    cap = ref_limit + 20
    raw = capped(raw_highs_on_mps, (model, ref_limit, GAPS[name]), cap)
    cbc = capped(cbc_reference, (model, ref_limit, GAPS[name]), cap)
    size = {"lots": len(problem.lots), "bids": len(problem.bids), "providers": len(problem.providers),
            "columns": model.n_cols, "rows": model.n_rows, "nonzeros": model.nnz,
            "parse_seconds": round(parse_seconds, 2)}
    return {"scale": name, "seed": seed, "time_limit": time_limit, "ref_time_limit": ref_limit, "size": size,
            "engine": engine, "raw_highs_mps": raw, "cbc_pulp": cbc,
            "overhead_ratio": round(timings.total / max(raw["seconds"] or 1e-9, 1e-9), 3)}


def _fmt_gap(gap: float | None) -> str:
    return "-" if gap is None else f"{gap:.2e}"


def targets(row: dict[str, Any]) -> list[tuple[str, bool]]:
    e, name, cbc = row["engine"], row["scale"], row["cbc_pulp"]
    checks = [("model building < 20% of time", e["build_share"] < 0.2)]
    if name == "consortium":
        checks.append(("proven optimal < 5 s", e["status"] == "optimal" and e["seconds"] < 5))
    if name == "region":
        checks.append(("first plan < 10 s", (e["first_plan_seconds"] or 1e9) < 10))
        checks.append(("gap <= 1e-4 < 30 s", e["gap"] is not None and e["gap"] <= 1e-4 and e["seconds"] < 30))
        cbc_better = cbc["objective"] is not None and cbc["objective"] < float(e["total_cost"]) - 0.01
        checks.append(("beats CBC reference", e["seconds"] <= (cbc["seconds"] or 1e9) and not cbc_better))
    if name == "nation":
        checks.append(("gap < 1% within 120 s", e["gap"] is not None and e["gap"] < 0.01 and e["seconds"] <= 125))
    return checks


def report(row: dict[str, Any]) -> None:
    s, e, raw, cbc = row["size"], row["engine"], row["raw_highs_mps"], row["cbc_pulp"]
    print(f"\n== {row['scale']} (seed {row['seed']}): {s['lots']:,} lots, {s['bids']:,} bids, "
          f"{s['providers']:,} providers ({s['columns']:,} columns, {s['rows']:,} rows, "
          f"{s['nonzeros']:,} nonzeros; parse {s['parse_seconds']} s)")
    print(f"  engine      {e['status']:9} {e['seconds']:7.2f} s  gap {_fmt_gap(e['gap']):>9}  cost £{e['total_cost']}"
          f"  first plan {e['first_plan_seconds']} s")
    print(f"              phases {e['phases']}  building {e['build_share']:.1%} of time")
    print(f"              policy {e['policy']}")
    print(f"              greedy heuristic £{e['heuristic_cost']}  -> optimised/greedy = {e['cost_vs_greedy']}")
    print(f"  raw MPS     {raw['status']:9} {raw['seconds']:7.2f} s  gap {_fmt_gap(raw['gap']):>9}  "
          f"objective {raw['objective']}  (write MPS {raw['write_mps_seconds']} s)  overhead ratio "
          f"engine/raw = {row['overhead_ratio']}")
    print(f"  CBC (PuLP)  {cbc['status']:9} {cbc['seconds']:7.2f} s  gap {_fmt_gap(cbc['gap']):>9}  "
          f"objective {cbc['objective']}  bound {cbc['bound']}")
    for what, ok in targets(row):
        print(f"  target: {what:32} {'met' if ok else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="consortium,region,nation")
    parser.add_argument("--time-limit", type=float, default=None, help="engine limit (default per scale)")
    parser.add_argument("--ref-time-limit", type=float, default=None,
                        help="limit for the raw MPS and CBC references (default: 60 s, 30 s for consortium)")
    parser.add_argument("--seed", type=int, default=2026, help="instance generator seed")
    parser.add_argument("--search-share", type=float, default=None,
                        help="override the policy's share of the time for the neighbourhood search")
    args = parser.parse_args(argv)
    rows = []
    for name in [s.strip() for s in args.scales.split(",") if s.strip()]:
        if name not in SCALES:
            parser.error(f"unknown scale {name!r}: choose from {', '.join(SCALES)}")
        limit = args.time_limit or DEFAULT_LIMITS[name]
        ref = args.ref_time_limit or (30.0 if name == "consortium" else 60.0)
        row = run_scale(name, limit, ref, seed=args.seed, search_share=args.search_share)
        report(row)
        rows.append(row)
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "award.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
