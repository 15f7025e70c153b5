"""`carepool tender summary REF --as EMAIL` on SQLite and PostgreSQL: the award summary of an evaluated tender as
its page shows it, to the consortium's members only, without running the award again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from carepool.audit import service as audit
from carepool.core.money import percent
from carepool.partners.service import Located
from carepool.procurement import evaluation, reports
from carepool.procurement import service as procurement
from carepool.procurement.reports import AwardSummary
from tests.integration.procurement.conftest import (
    BRENT,
    EALING,
    HF,
    ICB,
    LARGE_C,
    SME_B,
    World,
    demand,
    run,
    usual_bids,
)

LEAD = "proc@hf.test"


def evaluated(world: World, *, confirm: bool = False) -> str:
    """A tender with the usual bids, opened after its deadline and evaluated (and confirmed, if asked)."""
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref, confirm=confirm)
    return ref


def summary_of(world: World, ref: str, email: str = LEAD) -> AwardSummary:
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=world.caller(email), ref=ref)
    assert summary is not None
    return summary


def history(world: World) -> list[str]:
    with world.db.uow() as uow:
        return [e.action for e in audit.list_events(uow=uow, organisation=HF)]


def test_the_summary_tells_what_the_award_page_tells(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    world = cli
    ref = evaluated(world)
    summary = summary_of(world, ref)
    before = history(world)
    code, out, err = run(capsys, "summary", ref.lower(), "--as", "comm@brent.test")  # any member, any role
    assert (code, err) == (0, "")
    assert history(world) == before  # read only: nothing run again, nothing audited
    assert summary_of(world, ref) == summary

    assert f"Award of {ref} (evaluated)" in out
    for label, figure in (("yearly cost today", summary.baseline), ("yearly cost awarded", summary.awarded.total),
                          ("yearly saving", f"{summary.saving} ({summary.saving_pct}%)"),
                          ("cheapest wins would cost", summary.cheapest.total), ("awards", len(summary.awards))):
        assert f"│ {label} │ {figure} │" in out, label
    # the page's column order: (today,) cheapest wins, awarded; no current provider named, so no today column
    assert "┃ ┃ cheapest wins ┃ awarded ┃" in out
    assert f"│ yearly cost │ {summary.cheapest.total} │ {summary.awarded.total} │" in out
    assert f"│ concentration (HHI) │ {summary.cheapest.hhi:,} │ {summary.awarded.hhi:,} │" in out
    assert "name each demand line's current provider" in out
    assert summary.savings and summary.saving.pence > 0
    for member in summary.savings:  # the savings table, row by row, and its total
        name = summary.names[member.member]
        assert (f"│ {name} │ {member.baseline} │ {member.awarded} │ {member.saving} │ {member.saving_pct}% │"
                in out), name
    assert (f"│ total │ {summary.baseline} │ {summary.awarded.total} │ {summary.saving} │ {summary.saving_pct}% │"
            in out)
    assert "┃ provider ┃ cheapest wins ┃ awarded ┃ yearly value awarded ┃" in out
    for award in summary.awards:
        sme = " (SME)" if award.sme else ""
        assert (f"│ {award.lot_code} │ {award.provider_name}{sme} │ {award.weekly_quantity:,.2f} │ {award.price} │ "
                f"{award.annual_value} │ optimiser │") in out
    assert not summary.unawarded and "not awarded" not in out


def test_evaluate_and_summary_print_the_same(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    world = cli
    ref = world.tender()
    usual_bids(world, ref)
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "22.00", 50)  # below the quality floor of 60
    world.clock.advance(days=15)
    assert run(capsys, "open", ref, "--as", LEAD)[0] == 0
    code, evaluated_out, _ = run(capsys, "evaluate", ref, "--as", LEAD, "--time-limit", "10")
    assert code == 0
    code, summary_out, _ = run(capsys, "summary", ref, "--as", LEAD)
    assert code == 0 and summary_out == evaluated_out
    assert "not considered (below the quality floor): bid " in summary_out and "(Birch Home Help, HC-HF-NORTH)" \
        in summary_out

    # Once the award is confirmed it cannot be run again, but it can still be read: and with the contracts later.
    assert run(capsys, "confirm", ref, "--as", LEAD)[0] == 0
    code, _, err = run(capsys, "evaluate", ref, "--as", LEAD)
    assert code == 6 and "it is awarded" in err
    code, out, _ = run(capsys, "summary", ref, "--as", "fin@ealing.test")
    assert code == 0 and f"Award of {ref} (awarded)" in out and out.replace("(awarded)", "(evaluated)") == \
        evaluated_out
    world.clock.advance(days=11)
    assert run(capsys, "contracts", ref, "--as", LEAD)[0] == 0
    code, out, _ = run(capsys, "summary", ref, "--as", LEAD)
    contracts = [a.contract_ref for a in summary_of(world, ref).awards]
    assert code == 0 and f"Award of {ref} (contracted)" in out and "Awards and call-off contracts" in out
    assert all(contract and contract in out for contract in contracts)


def test_today_and_a_lot_left_unawarded(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    """Brent names Crown Care as its provider today, Ealing one not in the directory; H&F North gets no valid bid."""
    world = cli
    named = {BRENT: LARGE_C, EALING: "Dove Care"}
    with world.db.uow() as uow:
        procurement.save_demand(uow=uow, caller=world.caller(LEAD), consortium_id=world.consortium_id, lines=[
            Located(replace(line, current_provider=named.get(line.member, ""))) for line in demand()])
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="700")
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "22.40", 70, max_quantity="500", capacity="500")
    for lot, price in (("HC-BRENT-KIL", "21.20"), ("HC-EALING-ACT", "21.00")):
        world.bid("bids@c.test", ref, lot, price, 70, capacity="5000")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "20.00", 50, capacity="700")  # below the quality floor
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    summary = summary_of(world, ref)
    today = summary.today
    assert today is not None and not today.sme_known and today.named < 1 and summary.unawarded == ["HC-HF-NORTH"]

    code, out, _ = run(capsys, "summary", ref, "--as", LEAD)
    assert code == 0
    assert "┃ ┃ today ┃ cheapest wins ┃ awarded ┃" in out  # the page's order
    assert f"│ yearly cost │ {today.whole} │ {summary.cheapest.total} │ {summary.awarded.total} │" in out
    assert f"│ SME share of value │ not known │ {percent(summary.cheapest.sme_share)} │" in out
    assert f"│ providers winning │ {today.market.winners} │ {summary.cheapest.winners} │" in out
    assert "┃ provider ┃ today ┃ cheapest wins ┃ awarded ┃ yearly value awarded ┃" in out
    assert f"today's market is from the {percent(today.named)} of today's value whose current provider" in out
    assert f"│ yearly cost today │ {summary.baseline} │" in out and f"│ yearly saving │ {summary.saving} (" in out
    hf = next(lot for lot in summary.lots if lot.code == "HC-HF-NORTH")
    assert f"│ HC-HF-NORTH │ 400.00 │ {hf.baseline_annual} │ not awarded │ │ 0 │" in out
    assert "no valid bid, so not awarded (unsuccessful): HC-HF-NORTH; these lots stay out of the savings" in out
    assert "not considered (below the quality floor): bid " in out and "(Acorn Care, HC-HF-NORTH)" in out
    assert {m.member for m in summary.savings} == {BRENT, EALING, ICB}  # H&F's only lot was not awarded
    assert "│ Hammersmith and Fulham │" not in out


def test_an_award_changed_by_hand_says_so(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    world = cli
    ref = world.tender(rules={"min_quality": "60", "max_providers": 2})
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80)
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.00", 70)
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "20.00", 50)  # below the floor: the lot goes unawarded
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    code, out, _ = run(capsys, "summary", ref, "--as", LEAD)
    assert code == 0 and "no valid bid, so not awarded (unsuccessful): HC-HF-NORTH" in out
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        birch = next(b for b in reports.bid_listing(uow=uow, caller=lead, ref=ref).bids if b.provider_code == SME_B)
    with world.db.uow() as uow:
        evaluation.override(uow=uow, caller=lead, ref=ref, reason="[urgent] cover is needed",
                            allocations=[evaluation.Allocation(birch.reference, Decimal("400"))])
    code, out, _ = run(capsys, "summary", ref, "--as", LEAD)
    assert code == 0 and out.startswith("changed by hand after the optimiser ran")
    assert ("this award breaks 1 of the tender's published rules (the optimiser's award keeps them all; a losing "
            "bidder may challenge a departure): - the quality floor: Birch Home Help wins HC-HF-NORTH with a quality "
            "score of 50, below 60") in out
    assert "│ HC-HF-NORTH │ Birch Home Help (SME) │ 400.00 │ £20.00 │" in out
    assert "│ override: [urgent] cover is needed │" in out  # the reason as typed, brackets and all
    assert "before the changes by hand" in out and "not awarded" not in out


def test_no_summary_before_the_award_is_run(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    world = cli
    ref = world.tender(publish=False)
    code, out, err = run(capsys, "summary", ref, "--as", LEAD)
    assert (code, out) == (6, "")
    assert err.startswith(f"error: tender {ref} has not been evaluated yet (it is draft): publish it")
    code, _, err = run(capsys, "summary", ref, "--as", "proc@harrow.test")  # outside the consortium: never published
    assert (code, err) == (4, f"error: tender {ref} not found")

    assert run(capsys, "publish", ref, "--as", LEAD)[0] == 0
    usual_bids(world, ref)
    code, _, err = run(capsys, "summary", ref, "--as", "comm@icb.test")
    assert code == 6 and f"tender {ref} has not been evaluated yet (it is published)" in err
    assert f"`carepool tender open {ref} --as EMAIL`" in err and f"`carepool tender evaluate {ref} --as EMAIL`" in err
    world.clock.now += timedelta(days=15)
    assert run(capsys, "open", ref, "--as", LEAD)[0] == 0
    code, _, err = run(capsys, "summary", ref, "--as", LEAD)
    assert (code, err) == (6, f"error: tender {ref} has not been evaluated yet (it is closed): run `carepool tender "
                              f"evaluate {ref} --as EMAIL` (a procurement lead of the consortium)")
    assert run(capsys, "cancel", ref, "--as", LEAD, "--reason", "demand changed")[0] == 0
    code, _, err = run(capsys, "summary", ref, "--as", LEAD)
    assert (code, err) == (6, f"error: tender {ref} is cancelled: it has no award")


def test_only_members_see_the_summary(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    world = cli
    ref = evaluated(world, confirm=True)
    for outsider in ("bids@c.test", "proc@harrow.test"):  # a provider that won, a council outside the consortium
        code, out, err = run(capsys, "summary", ref, "--as", outsider)
        assert (code, out) == (5, ""), outsider
        assert err.startswith(f"error: the bids and the award summary of tender {ref} are for the buying "
                              "consortium's members; "), outsider
        assert ("a provider sees its own bids and result" if outsider == "bids@c.test" else
                "Harrow is not a member of it; its notices are public on the tender's page") in err, outsider
        assert "Traceback" not in err and "£" not in err


def test_unknown_tender_and_user(cli: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summary", "CP-2099-999", "--as", LEAD)
    assert (code, out, err) == (4, "", "error: tender CP-2099-999 not found")
    code, _, err = run(capsys, "summary", "CP-2099-999", "--as", "nobody@nowhere.test")
    assert (code, err) == (4, "error: user nobody@nowhere.test not found")
