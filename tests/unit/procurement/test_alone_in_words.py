"""Why a group of members could not award on its own, in the words a finance director reads: the award engine's own
message names its rules by their keys (min_sme_share 0.25) for `carepool tender award`, and stays as it is."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement import engine, split_workbook
from carepool.procurement.coalitions import CANNOT_ALONE, CoalitionValue, reason_in_words
from carepool.procurement.demo import REABLEMENT_DESCRIPTION
from carepool.procurement.split_cli import print_split
from carepool.procurement.splitting import MemberSplit, SplitView
from carepool.sharing import engine as sharing_engine
from carepool.sharing import model as sharing
from tests.unit.award.award_builders import tender

RULE_KEYS = ("min_sme_share", "max_share", "min_quality", "min_award_fraction", "max_providers", "SMEs")
SHARE_ALONE = ("cannot meet the 25% floor for small and medium providers on its own: its small providers could take "
               "at most 51.2% of the value")


def _engine_says(data: dict[str, Any]) -> str:
    with pytest.raises(CarepoolError) as refused:
        engine.solve(data, time_limit=5)
    assert refused.value.kind == "infeasible"
    return refused.value.message


@pytest.mark.parametrize(("data", "words"), [
    (tender(lots="L1 100 k=2", providers="P1; P2 sme", bids="P1 L1 20.00; P2 L1 21.00 max=50",
            min_sme_share="0.99"),
     "cannot meet the 99% floor for small and medium providers on its own: its small providers could take at most "
     "51.2% of the value"),
    (tender(lots="L1 100 k=2", providers="P1; P2", bids="P1 L1 20.00; P2 L1 21.00", min_sme_share="0.25"),
     "cannot meet the 25% floor for small and medium providers on its own: no small or medium provider made a bid "
     "it could award"),
    (tender(lots="L1 100 k=3", providers="P1; P2; P3", bids="P1 L1 20.00; P2 L1 21.00; P3 L1 22.00",
            max_share="0.3"),
     "cannot meet the rule that no provider may have more than 30% of the value on its own: that needs at least 4 "
     "providers to win, and only 3 made bids it could award"),
    (tender(lots="L1 100 k=2", providers="P1; P2", bids="P1 L1 20.00 q=40; P2 L1 21.00 q=50", min_quality=60),
     "cannot award lot L1 on its own: no bid on it reaches the quality floor of 60"),
    (tender(lots="L1 100 k=2; L2 100 k=2", providers="P1 cap=80; P2 cap=80",
            bids="P1 L1 20.00; P2 L1 21.00; P1 L2 20.00; P2 L2 21.00"),
     "cannot cover its lots on its own: the providers can supply at most 160 of the 200 hours a week they need"),
    (tender(lots="L1 100 k=2", providers="P1; P2", bids="P1 L1 20.00 max=30; P2 L1 21.00 max=40"),
     "cannot cover lot L1 on its own: the bids it could award offer at most 70 of the 100 hours a week it needs"),
    (tender(lots="L1 100 k=1", providers="P1; P2", bids="P1 L1 20.00 max=60; P2 L1 21.00 max=70"),
     "cannot cover lot L1 on its own: the one provider a lot may have offers at most 70 of the 100 hours a week it "
     "needs"),
    (tender(lots="L1 100 k=2", providers="P1; P2", bids="P1 L1 20.00 max=80; P2 L1 21.00 max=90",
            min_award_fraction="0.6"),
     "cannot cover lot L1 on its own: with each winner given at least 60% of it, at most one provider may win it, "
     "and they offer at most 90 of the 100 hours a week it needs"),
])
def test_each_reason_the_engine_gives_is_said_in_words(data: dict[str, Any], words: str) -> None:
    said = _engine_says(data)  # as `carepool tender award` says it, unchanged
    assert reason_in_words(said) == words
    assert not any(key in words for key in RULE_KEYS)


def test_a_reason_not_known_is_said_generally() -> None:
    assert reason_in_words("") == reason_in_words("the solver caught fire") == CANNOT_ALONE
    assert CANNOT_ALONE == "cannot meet the tender's rules on its own"


def _view() -> SplitView:
    """Brent and Harrow: Harrow alone cannot meet the SME floor (the engine's note kept as it said it)."""
    note = ("min_sme_share 0.25 cannot be met together with the other rules (SMEs can reach at most 51.2% of the "
            "awarded value)")
    groups = [CoalitionValue(("B",), 60_000_00, 500_000_00, 440_000_00, "optimal", 0.0),
              CoalitionValue(("H",), 0, 300_000_00, None, "infeasible", note=note),
              CoalitionValue(("B", "H"), 100_000_00, 800_000_00, 700_000_00, "award")]
    game = sharing.Game(("B", "H"), {frozenset(g.members): g.saving for g in groups})
    core = sharing_engine.least_core(game)
    split = {"B": 70_000_00, "H": 30_000_00}
    members = [MemberSplit("B", "Brent", Money(500_000_00), Money(60_000_00), Money(70_000_00), Money(70_000_00),
                           Money(80_000_00), Money(core.split["B"])),
               MemberSplit("H", "Harrow", Money(300_000_00), Money(0), Money(30_000_00), Money(30_000_00),
                           Money(20_000_00), Money(core.split["H"]), "infeasible", note)]
    objections = {name: sharing.objections(game, split) for name in ("realised", "proportional", "shapley")}
    objections["nucleolus"] = sharing.objections(game, core.split)
    return SplitView("CP-2026-001", "Home care", datetime(2026, 4, 1, tzinfo=UTC), "fin@ealing.test", False, "exact",
                     0, Money(100_000_00), members, groups, {"B": "Brent", "H": "Harrow"}, objections, core)


def test_the_split_says_why_a_group_could_not_award_alone_in_words_on_the_cli_and_in_the_workbook() -> None:
    view = _view()
    words = SHARE_ALONE  # the floor as the tender states it, 25%, not 0.25
    assert view.members[1].alone_reason == words
    assert view.groups[1].how_found == f"{words}; counted at today's prices"
    out = Console(file=io.StringIO(), width=300)
    print_split(view, out)
    printed = out.file.getvalue()  # type: ignore[attr-defined]
    assert f"  Harrow {words}\n" in printed and "min_sme_share" not in printed

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(split_workbook.workbook(view)))
    rows = list(book["Groups alone"].iter_rows(values_only=True))
    assert rows[0][5] == "how found" and rows[2][5] == f"{words}; counted at today's prices"
    assert not any("min_sme_share" in str(cell) for row in rows for cell in row)


def test_the_demo_tender_left_open_does_not_say_how_it_stands() -> None:
    """Its description stays on the public page after the award: it says what is bought, not that bids are open."""
    lowered = REABLEMENT_DESCRIPTION.lower()
    for status in ("open for bids", "open", "closed", "awarded", "published", "cancelled"):
        assert status not in lowered, status
    assert lowered.startswith("short-term reablement")
