"""Splitting a tender's saving among its members: what each would have saved alone, the split proportional to
spend, the Shapley split and the nucleolus, each checked against every group of members (would any save more
alone?).

Working out the savings game runs every group's award (the same bids and rules, the group's own shares of the
lots) outside any transaction, as the award itself does; the game is stored only if the award did not change
meanwhile. Reading the split works it out from the stored game each time (it takes milliseconds)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.core.words import joined
from carepool.db.uow import UnitOfWork
from carepool.jobs import service as jobs
from carepool.jobs.model import Job
from carepool.partners import service as partners
from carepool.partners.model import Caller, Role, spoken_names
from carepool.procurement import coalitions, evaluation, reports
from carepool.procurement.access import manages, tender_for
from carepool.procurement.award_rules import AwardRules
from carepool.procurement.coalitions import GRAND, CoalitionValue
from carepool.procurement.tables import ConsortiumRow, SavingsSplitRow, TenderRow
from carepool.sharing import engine as sharing_engine
from carepool.sharing import model as sharing
from carepool.sharing.model import Game, Objection

EXACT_UP_TO = 8  # members: every group's award is run (2^8 - 2 = 254 runs); above, groups along sampled orders
SAMPLED_ORDERS = 40
SEED = 75  # the sampled orders' seed, kept with the game so a split always reads the same
JOB_KIND = "savings_split"
SPLITS = ("shapley", "proportional", "nucleolus", "realised")  # as the page, CLI and workbook list their verdicts
SPLIT_PHRASES = {"realised": "As the prices fell, with no payments between members,",
                 "proportional": "Under the split proportional to spend,", "shapley": "Under the Shapley split,",
                 "nucleolus": "Under the nucleolus,"}


@dataclass(frozen=True)
class MemberSplit:
    code: str
    name: str
    spend: Money  # its yearly spend today on its shares of the awarded lots
    alone: Money  # what it would have saved tendering alone
    realised: Money  # what it saves as the award's prices fell on its own shares
    proportional: Money
    shapley: Money
    nucleolus: Money  # the least-core split that does best by the most aggrieved group, then the next, ...
    alone_status: str = "optimal"  # how its own award alone went (infeasible, dearer: it keeps today's prices)
    alone_note: str = ""  # why it could not award alone, in the award engine's words

    @property
    def alone_reason(self) -> str:
        """Why it could not award alone, in plain words ("cannot meet the 25% floor for ...")."""
        return coalitions.reason_in_words(self.alone_note)

    @property
    def transfer(self) -> Money:
        """What it pays into the pool (negative: receives) so that it ends with its Shapley share."""
        return self.realised - self.shapley

    @property
    def gain(self) -> Money:
        """What joining gained it under the Shapley split, over going alone."""
        return self.shapley - self.alone


@dataclass(frozen=True)
class SplitView:
    ref: str
    title: str
    computed_at: datetime
    computed_by: str
    stale: bool  # the award changed after the game was worked out
    method: str  # exact | sampled
    orders: int  # sampled orders (0 when exact)
    total: Money  # the consortium's saving, as the award stands
    members: list[MemberSplit]
    groups: list[CoalitionValue]  # every group's value, the whole consortium last
    names: dict[str, str]  # each member as people say it ("Brent"), for sentences and the chart
    objections: dict[str, list[Objection]]  # by split: groups that would save more alone, largest shortfall first
    least_core: sharing_engine.LeastCore

    def group_name(self, members: tuple[str, ...] | frozenset[str]) -> str:
        return group_name(members, self.names, [m.code for m in self.members])

    @property
    def not_awarded_alone(self) -> list[CoalitionValue]:
        return [g for g in self.groups if g.status == "infeasible"]

    @property
    def not_proven(self) -> list[CoalitionValue]:
        return [g for g in self.groups if g.status == "feasible"]

    def verdict(self, split: str) -> str:
        """One plain sentence: does any group do better alone under this split?"""
        found = self.objections[split]
        if not found:
            return f"{SPLIT_PHRASES[split]} no group of members{self._among} would save more by tendering alone."
        first = found[0]
        more = f" ({len(found) - 1} other group{'s' if len(found) > 2 else ''} too)" if len(found) > 1 else ""
        return (f"{SPLIT_PHRASES[split]} {self.group_name(first.coalition)} would save "
                f"{Money(first.shortfall)} a year more by tendering alone ({Money(first.alone)} against "
                f"{Money(first.given)}){more}.")

    @property
    def verdicts(self) -> list[str]:
        """Every split's verdict, the Shapley split's first, then whether any split could keep every group in."""
        return [*(self.verdict(split) for split in SPLITS), self.core_verdict]

    @property
    def _among(self) -> str:
        """Sampled orders run only some groups: a verdict is about those."""
        return "" if self.method == "exact" else f" among the {len(self.groups) - 1:,} whose award was run"

    @property
    def core_verdict(self) -> str:
        if 0 < self.least_core.epsilon <= len(self.members) // 2:  # the LP's split, rounded to the penny
            return (f"Some split gives every group{self._among} what it would save alone, to within "
                    f"{Money(self.least_core.epsilon)} (splits are in whole pence).")
        if self.least_core.core_empty:
            return (f"No split can give every group{self._among} at least what it would save alone: whatever the "
                    f"split, some group would save {Money(self.least_core.epsilon)} a year more alone. The "
                    "nucleolus comes closest.")
        return (f"Some split gives every group{self._among} at least what it would save alone (the core is not "
                "empty); the nucleolus is one.")


def group_name(members: tuple[str, ...] | frozenset[str], names: dict[str, str], everyone: list[str]) -> str:
    """'Brent and Ealing', or 'every member but Harrow' for a group of all members but one."""
    chosen = [m for m in everyone if m in members]
    if len(everyone) > 2 and len(chosen) == len(everyone) - 1:
        left = next(m for m in everyone if m not in members)
        return f"every member but {names.get(left, left)}"
    if len(chosen) == len(everyone) and len(everyone) > 1:
        return "the whole consortium"
    return joined([names.get(m, m) for m in chosen])


def _award_stamp(state: tuple[Any, ...]) -> str:
    return hashlib.sha256(json.dumps(state, default=str, sort_keys=True).encode()).hexdigest()


def may_compute(caller: Caller, lead_code: str) -> bool:
    """A member's finance team, or the procurement team of the lead, works the split out (any member reads it)."""
    return manages(caller, lead_code) or caller.has(Role.FINANCE)


def _may_compute(uow: UnitOfWork, caller: Caller, tender: TenderRow) -> None:
    lead = uow.session.get(ConsortiumRow, tender.consortium_id).lead_code
    if not may_compute(caller, lead):
        lead_name = partners.get_organisation(uow=uow, code=lead).name
        raise CarepoolError(f"working out the savings split of tender {tender.ref} is for a member's finance team "
                            f"or the procurement team of its lead, {lead_name}; you may read it once it is worked "
                            "out", kind="forbidden")


def _ready(uow: UnitOfWork, caller: Caller, ref: str) -> tuple[TenderRow, reports.AwardSummary]:
    tender = reports.member_tender(uow, caller, ref, what="the savings split of tender {ref} is")
    _may_compute(uow, caller, tender)
    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    if summary is None:
        raise CarepoolError(f"tender {tender.ref} has no award yet: run the award first, then split its saving",
                            kind="conflict")
    return tender, summary


def start_in_background(*, uow: UnitOfWork, runner: jobs.Runner, caller: Caller, ref: str) -> Job:
    """Refuse now what ``compute`` would refuse, with its reason; else work the split out in a background job (a
    page follows it)."""
    tender_ref = _ready(uow, caller, ref)[0].ref
    return jobs.start_after(uow, runner=runner, caller=caller, kind=JOB_KIND, subject_type="tender", subject=tender_ref,
                            what=f"the savings split of tender {tender_ref}", work=run_split)


def run_split(uow: UnitOfWork, caller: Caller, ref: str, progress: jobs.Progress) -> str:
    """The job's work: every group's award, and the split they give."""
    view = compute(uow=uow, caller=caller, ref=ref, progress=progress)
    return f"Savings split worked out from every group's award ({len(view.groups) - 1:,} awards run)."


def split_job(*, uow: UnitOfWork, caller: Caller, ref: str) -> Job | None:
    """The latest background run of the split, for any user of a member of the consortium."""
    tender = reports.member_tender(uow, caller, ref, what="the savings split of tender {ref} is")
    return jobs.latest(uow=uow, kind=JOB_KIND, subject=tender.ref)


def groups_to_run(players: list[str]) -> tuple[list[tuple[str, ...]], str, int]:
    """The groups whose award must run (never the whole consortium: its award stands), the method, the orders."""
    if len(players) <= EXACT_UP_TO:
        groups = [tuple(sorted(c)) for c in sharing.all_coalitions(players)]
        return [g for g in groups if len(g) < len(players)], "exact", 0
    orders = sharing.sample_orders(players, SAMPLED_ORDERS, SEED)
    wanted = {frozenset(c) for c in sharing.coalitions_for_orders(orders)} | {frozenset([p]) for p in players}
    wanted.discard(frozenset(players))
    return sorted((tuple(sorted(c)) for c in wanted), key=lambda g: (len(g), g)), "sampled", SAMPLED_ORDERS


def compute(*, uow: UnitOfWork, caller: Caller, ref: str, time_limit: float = 10.0, workers: int | None = None,
            executor: Executor | None = None, progress: Callable[[int, int], None] | None = None) -> SplitView:
    """Run every group's award and store the savings game (a member's finance team or the lead's procurement)."""
    tender, summary = _ready(uow, caller, ref)
    players = [s.member for s in summary.savings]
    lots = [d for d in evaluation.lot_designs(uow, tender).values() if d.code not in summary.unawarded]
    rules = AwardRules.parse(json.loads(tender.rules_json))
    bids = [bid for _, bid in evaluation.opened_bids(uow, tender)]
    who = evaluation.bidders_as_declared(uow, tender)
    groups, method, orders = groups_to_run(players)
    tasks = [coalitions.job(tender.ref, g, lots, bids, who, rules, time_limit=time_limit) for g in groups]
    before = evaluation.award_state(uow, tender)
    uow.pause()  # the runs may take minutes: no transaction is held while they do
    values = coalitions.run(tasks, workers=workers, executor=executor, progress=progress)
    tender, _ = tender_for(uow, caller, ref, lock=True)
    if evaluation.award_state(uow, tender) != before:
        raise CarepoolError(f"the award of tender {tender.ref} changed while the groups' awards ran: nothing was "
                            "stored; work the split out again", kind="conflict")
    grand = CoalitionValue(tuple(players), summary.saving.pence, summary.baseline.pence, summary.awarded.total.pence,
                           GRAND)
    game = {"players": players, "method": method, "orders": orders, "seed": SEED, "time_limit": time_limit,
            "spend": {s.member: s.baseline.pence for s in summary.savings},
            "realised": {s.member: s.saving.pence for s in summary.savings},
            "groups": [v.as_json() for v in [*values, grand]]}
    row = _stored_row(uow, tender)
    if row is None:
        row = SavingsSplitRow(tender_id=tender.id)
        uow.session.add(row)
    row.computed_at, row.computed_by, row.award_stamp = uow.now(), caller.actor, _award_stamp(before)
    row.game_json = json.dumps(game)
    view = _view(uow, tender, row)
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.savings_split",
                 entity_type="tender", entity_id=tender.ref,
                 after={"method": method, "groups_run": len(values), "saving": view.total.plain(),
                        "shapley": {m.code: m.shapley.plain() for m in view.members},
                        "proportional": {m.code: m.proportional.plain() for m in view.members},
                        "nucleolus": {m.code: m.nucleolus.plain() for m in view.members},
                        "alone": {m.code: m.alone.plain() for m in view.members}})
    uow.commit()
    return view


def split_view(*, uow: UnitOfWork, caller: Caller, ref: str) -> SplitView | None:
    """The stored split (None until worked out), for any user of a member of the consortium."""
    tender = reports.member_tender(uow, caller, ref, what="the savings split of tender {ref} is")
    row = _stored_row(uow, tender)
    return None if row is None else _view(uow, tender, row)


def _stored_row(uow: UnitOfWork, tender: TenderRow) -> SavingsSplitRow | None:
    return uow.session.execute(select(SavingsSplitRow).where(
        SavingsSplitRow.tender_id == tender.id)).scalar_one_or_none()


def _view(uow: UnitOfWork, tender: TenderRow, row: SavingsSplitRow) -> SplitView:
    data = json.loads(row.game_json)
    players: list[str] = data["players"]
    groups = [CoalitionValue.from_json(g) for g in data["groups"]]
    game = Game(tuple(sorted(players)), {frozenset(g.members): g.saving for g in groups})
    if data["method"] == "exact":
        exact: dict[str, Fraction] = sharing.shapley(game)
    else:
        exact = sharing.shapley_from_orders(game, sharing.sample_orders(players, data["orders"], data["seed"]))
    shapley = sharing.in_pence({p: exact[p] for p in players}, game.total)
    proportional = sharing.proportional(game.total, {p: data["spend"][p] for p in players})
    realised = {p: data["realised"][p] for p in players}
    least_core = sharing_engine.least_core(game)
    splits = {"realised": realised, "proportional": proportional, "shapley": shapley, "nucleolus": least_core.split}
    official = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    names = spoken_names({p: official.get(p, p) for p in players})
    alone = {g.members[0]: g for g in groups if len(g.members) == 1}
    members = [MemberSplit(p, official.get(p, p), Money(data["spend"][p]), Money(game.value([p])), Money(realised[p]),
                           Money(proportional[p]), Money(shapley[p]), Money(least_core.split[p]), alone[p].status,
                           alone[p].note)
               for p in players]
    stale = _award_stamp(evaluation.award_state(uow, tender)) != row.award_stamp
    return SplitView(tender.ref, tender.title, row.computed_at, row.computed_by, stale, data["method"],
                     data["orders"], Money(game.total), members, groups, names,
                     {name: sharing.objections(game, split) for name, split in splits.items()}, least_core)
