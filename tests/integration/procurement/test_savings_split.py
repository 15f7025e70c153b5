"""Splitting a tender's saving among its members, on SQLite and PostgreSQL.

With every lot going to its cheapest bidder (one winner a lot, no cap or floor), Crown Care wins all three lots at
£21.20 (Kilburn), £21.00 (Acton) and £22.80 (Hammersmith North) an hour, so each member saves alone exactly what it
saves together (52 weeks):

    Brent   600 h x (£23.40 - £21.20) = £68,640.00      spend today £730,080.00
    ICB      60 h x (£24.75 - £21.20) = £11,076.00      spend today  £77,220.00
    Ealing  900 h x (£22.80 - £21.00) = £84,240.00      spend today £1,067,040.00
    H&F     400 h x (£24.90 - £22.80) = £43,680.00      spend today £517,920.00
    total                              £207,636.00                  £2,392,260.00

The Shapley split is then what each saves alone; splitting by spend gives Brent only £63,367.23, less than the
£68,640.00 it would save alone.
"""

from __future__ import annotations

import pytest

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement import evaluation, splitting
from carepool.procurement.splitting import SplitView
from tests.integration.procurement.conftest import BRENT, EALING, HF, ICB, World, usual_bids

CHEAPEST = {"min_quality": "60", "max_providers": 1}
ALONE = {BRENT: "68640.00", ICB: "11076.00", EALING: "84240.00", HF: "43680.00"}
FINANCE = "fin@ealing.test"


def awarded(world: World, rules: dict[str, object] | None = None, *, confirm: bool = True) -> str:
    ref = world.tender(rules=rules or CHEAPEST)
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref, confirm=confirm)
    return ref


def compute(world: World, ref: str, email: str = FINANCE, **options: object) -> SplitView:
    with world.db.uow() as uow:
        return splitting.compute(uow=uow, caller=world.caller(email), ref=ref, workers=1, **options)  # type: ignore[arg-type]


def stored(world: World, ref: str, email: str = FINANCE) -> SplitView | None:
    with world.db.uow() as uow:
        return splitting.split_view(uow=uow, caller=world.caller(email), ref=ref)


def by_member(view: SplitView, what: str) -> dict[str, str]:
    return {m.code: getattr(m, what).plain() for m in view.members}


def test_each_member_alone_saves_what_its_own_lots_save_and_shapley_gives_it_that(world: World) -> None:
    ref = awarded(world)
    view = compute(world, ref)
    assert view.method == "exact" and len(view.groups) == 15  # 14 groups run, and the consortium's own award
    assert view.total == Money.parse("207636.00")
    assert by_member(view, "alone") == ALONE
    assert by_member(view, "realised") == ALONE
    assert by_member(view, "shapley") == ALONE  # nothing is gained or lost by joining: each keeps its own
    assert by_member(view, "nucleolus") == ALONE  # the only split that gives every member what it saves alone
    assert {m.code: m.spend.plain() for m in view.members} == {
        BRENT: "730080.00", ICB: "77220.00", EALING: "1067040.00", HF: "517920.00"}
    proportional = {m.code: m.proportional for m in view.members}
    assert Money.sum(proportional.values()) == view.total  # to the penny
    assert proportional[BRENT] == Money.parse("63367.23")  # 207,636 x 730,080 / 2,392,260 = 63,367.2305...
    assert view.objections["shapley"] == view.objections["realised"] == view.objections["nucleolus"] == []
    worst = view.objections["proportional"][0]
    assert worst.coalition == frozenset({BRENT}) or BRENT in worst.coalition
    assert "Under the Shapley split, no group of members would save more by tendering alone." in view.verdict("shapley")
    assert view.verdict("proportional").startswith("Under the split proportional to spend, Brent")
    assert not view.least_core.core_empty and not view.stale
    assert all(m.transfer == Money(0) for m in view.members)
    pair = next(g for g in view.groups if set(g.members) == {BRENT, ICB})
    assert (pair.saving, pair.status) == (Money.parse("79716.00").pence, "optimal")


def test_the_split_is_stored_audited_and_read_by_any_member_without_running_again(world: World) -> None:
    ref = awarded(world)
    assert stored(world, ref) is None
    first = compute(world, ref, email="proc@hf.test")  # the lead's procurement team may work it out too
    again = stored(world, ref, email="viewer@brent.test")  # any user of a member reads it
    assert again is not None and by_member(again, "shapley") == by_member(first, "shapley")
    assert again.computed_by == first.computed_by
    with world.db.uow() as uow:
        events = [e for e in audit.list_events(uow=uow, organisation=HF) if e.action == "tender.savings_split"]
    assert len(events) == 1 and events[0].entity_id == ref
    assert events[0].after["shapley"] == ALONE


@pytest.mark.parametrize(("email", "words"), [
    ("comm@brent.test", "for a member's finance team or the procurement team of its lead, Hammersmith and Fulham"),
    ("proc@harrow.test", "for the buying consortium's members"),
    ("bids@c.test", "for the buying consortium's members"),
])
def test_who_may_work_out_the_split(world: World, email: str, words: str) -> None:
    ref = awarded(world)
    with pytest.raises(CarepoolError) as refused:
        compute(world, ref, email=email)
    assert refused.value.kind == "forbidden" and words in refused.value.message
    if email != "comm@brent.test":  # outsiders and bidders cannot read it either
        compute(world, ref)
        with pytest.raises(CarepoolError) as hidden:
            stored(world, ref, email=email)
        assert hidden.value.kind == "forbidden"


def test_no_award_yet_says_so_and_stores_nothing(world: World) -> None:
    ref = world.tender(rules=CHEAPEST)
    with pytest.raises(CarepoolError) as refused:
        compute(world, ref)
    assert refused.value.kind == "conflict" and "has no award yet" in refused.value.message
    assert stored(world, ref) is None


def test_a_split_of_an_award_run_again_is_marked_out_of_date(world: World) -> None:
    ref = awarded(world, confirm=False)
    compute(world, ref)
    world.clock.advance(hours=1)
    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=world.caller("proc@hf.test"), ref=ref, time_limit=10)
    view = stored(world, ref)
    assert view is not None and view.stale


def test_capacity_shared_by_the_members_gives_groups_that_do_better_alone(world: World) -> None:
    """Crown can take only 700 hours: alone, each member gets Crown's price; together they share it out."""
    ref = world.tender(rules=CHEAPEST)
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="1500")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78, capacity="1500")
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "22.40", 70, capacity="1000")
    for lot, price in (("HC-BRENT-KIL", "21.20"), ("HC-EALING-ACT", "21.00"), ("HC-HF-NORTH", "22.80")):
        world.bid("bids@c.test", ref, lot, price, 70, capacity="700")
    world.clock.advance(days=15)
    world.award(ref)
    view = compute(world, ref)
    assert Money.sum(m.shapley for m in view.members) == view.total == Money.sum(m.realised for m in view.members)
    assert Money.sum(m.transfer for m in view.members) == Money(0)
    alone = {m.code: m.alone for m in view.members}
    assert sum(a.pence for a in alone.values()) > view.total.pence  # alone, each would have had Crown
    assert view.least_core.core_empty  # so no split keeps every member in
    assert "No split can give every group at least what it would save alone" in view.core_verdict
    assert view.core_verdict.endswith("The nucleolus comes closest.")
    assert view.objections["shapley"]
    # the nucleolus leaves the most aggrieved group short by the least any split can: the least core's epsilon
    assert Money.sum(m.nucleolus for m in view.members) == view.total
    assert view.objections["nucleolus"][0].shortfall == view.least_core.epsilon
    assert view.least_core.epsilon <= view.objections["shapley"][0].shortfall


def test_groups_run_in_worker_processes_give_the_same_split(world: World) -> None:
    ref = awarded(world)
    with world.db.uow() as uow:
        view = splitting.compute(uow=uow, caller=world.caller(FINANCE), ref=ref, workers=2)
    assert by_member(view, "shapley") == ALONE


def test_ninth_member_switches_to_sampled_orders() -> None:
    players = [f"M{i}" for i in range(9)]
    groups, method, orders = splitting.groups_to_run(players)
    assert method == "sampled" and orders == splitting.SAMPLED_ORDERS
    assert all(len(g) < 9 for g in groups) and {(p,) for p in players} <= set(groups)
    exact, how, _ = splitting.groups_to_run(players[:4])
    assert how == "exact" and len(exact) == 14


def test_more_members_than_every_group_can_be_run_for_are_split_along_sampled_orders(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past EXACT_UP_TO members, only the groups along sampled orders of joining are run; where each member saves
    alone what it saves together, every order gives each member exactly that, so the sampled split is exact too."""
    monkeypatch.setattr(splitting, "EXACT_UP_TO", 3)
    ref = awarded(world)
    view = compute(world, ref)
    assert view.method == "sampled" and view.orders == splitting.SAMPLED_ORDERS
    assert by_member(view, "shapley") == ALONE and by_member(view, "alone") == ALONE
    assert by_member(view, "nucleolus") == ALONE
    again = stored(world, ref, email="viewer@brent.test")
    assert again is not None and by_member(again, "shapley") == ALONE  # the same orders, from the stored seed
