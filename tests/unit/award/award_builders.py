"""A few lines in, an award input out: tests read like the tender they describe.

    tender(lots="L1 100; L2 200 k=2",
           providers="P1 sme cap=150; P2; P3 sme",
           bids="P1 L1 20.00 q=70; P2 L1 19.00 max=80; ...",
           max_share="0.6")
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carepool.award.engine import optimise
from carepool.award.model import AwardResult, JsonDecimal, parse_problem
from carepool.cli import main


def _items(text: str) -> list[list[str]]:
    return [part.split() for part in text.split(";") if part.strip()]


def _options(words: list[str]) -> dict[str, str]:
    return dict(w.split("=", 1) for w in words if "=" in w)


def tender(*, lots: str, providers: str, bids: str, packages: list[dict[str, Any]] | None = None,
           **rules: Any) -> dict[str, Any]:
    """Lots "ID QUANTITY [k=MAX_PROVIDERS] [base=PRICE]"; providers "ID [sme] [cap=N]";
    bids "PROVIDER LOT PRICE [q=QUALITY] [max=N]"; rules as keyword arguments."""
    lot_items = []
    for words in _items(lots):
        opts = _options(words)
        item: dict[str, Any] = {"id": words[0], "quantity": int(words[1]), "unit": "hour/week"}
        if "k" in opts:
            item["max_providers"] = int(opts["k"])
        if "base" in opts:
            item["baseline_price"] = opts["base"]
        lot_items.append(item)
    provider_items = []
    for words in _items(providers):
        opts = _options(words)
        item = {"id": words[0], "sme": "sme" in words}
        if "cap" in opts:
            item["capacity"] = int(opts["cap"])
        provider_items.append(item)
    bid_items = []
    for words in _items(bids):
        opts = _options(words)
        item = {"provider": words[0], "lot": words[1], "price": words[2], "quality": int(opts.get("q", 70))}
        if "max" in opts:
            item["max_quantity"] = int(opts["max"])
        bid_items.append(item)
    data: dict[str, Any] = {"tender": "test", "currency": "GBP", "lots": lot_items,
                            "providers": provider_items, "bids": bid_items, "rules": dict(rules)}
    if packages is not None:
        data["packages"] = packages
    return data


def award(data: dict[str, Any], **kwargs: Any) -> AwardResult:
    return optimise(parse_problem(json.loads(json.dumps(data), parse_float=JsonDecimal)), **kwargs)


def won(result: AwardResult) -> dict[tuple[str, str], str]:
    """{(provider, lot): quantity as text} for compact assertions."""
    return {(a.provider, a.lot): f"{a.quantity.normalize():f}" for a in result.awards}


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(capsys: Any, *args: str) -> Run:
    code = main(list(args))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def write(tmp_path: Path, data: Any, name: str = "award.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def random_tiny(rng: random.Random, *, lots: int = 2, providers: int = 3) -> dict[str, Any]:
    """A tiny random tender with every rule switched on at random (for brute-force checks)."""
    lot_items = [{"id": f"L{i + 1}", "quantity": rng.choice([100, 200, 300, 450]),
                  "max_providers": rng.choice([1, 2, 2, 3]), "baseline_price": "25.00"} for i in range(lots)]
    provider_items: list[dict[str, Any]] = []
    for p in range(providers):
        item: dict[str, Any] = {"id": f"P{p + 1}", "sme": rng.random() < 0.5}
        if rng.random() < 0.6:
            item["capacity"] = rng.choice([250, 400, 600, 900])
        provider_items.append(item)
    bid_items = []
    for lot in lot_items:
        for provider in provider_items:
            if rng.random() < 0.85:
                bid: dict[str, Any] = {"provider": provider["id"], "lot": lot["id"],
                                       "price": f"{rng.uniform(18, 28):.2f}", "quality": rng.randrange(40, 100)}
                if rng.random() < 0.4:
                    bid["max_quantity"] = rng.choice([80, 150, 250])
                bid_items.append(bid)
    rules: dict[str, Any] = {"objective": rng.choice(["cost", "value"]), "quality_weight": "0.5"}
    if rng.random() < 0.5:
        rules["min_quality"] = 50
    if rng.random() < 0.5:
        rules["max_share"] = rng.choice(["0.55", "0.7", "0.8"])
    if rng.random() < 0.5:
        rules["min_sme_share"] = rng.choice(["0.2", "0.3", "0.5"])
    if rng.random() < 0.5:
        rules["min_award_fraction"] = rng.choice(["0.2", "0.3", "0.4"])
    return {"tender": "tiny", "lots": lot_items, "providers": provider_items, "bids": bid_items, "rules": rules}


def bench_generator() -> Any:
    """The benchmark's seeded instance generator (bench/_instances.py), loaded by path."""
    path = Path(__file__).resolve().parents[3] / "bench" / "_instances.py"
    spec = importlib.util.spec_from_file_location("carepool_bench_instances", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.generate
