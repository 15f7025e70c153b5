"""Use cases after opening: evaluate (award optimiser + comparisons), override with a reason,
confirm (standstill starts), and make the call-off contracts once standstill is over."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, not_found
from carepool.core.money import Money, Rounding
from carepool.db.uow import UnitOfWork
from carepool.jobs import service as jobs
from carepool.partners import service as partners
from carepool.partners.model import Caller, OrgKind
from carepool.procurement import engine, rule_check, sealing, service, tendering
from carepool.procurement.access import tender_for
from carepool.procurement.award_rules import AwardRules
from carepool.procurement.model import (
    STANDSTILL,
    BidStatus,
    LotDesign,
    TenderStatus,
    cents,
    check_move,
    contract_period,
    from_cents,
    quantity,
)
from carepool.procurement.tables import AwardRow, BidRow, ContractRow, LotRow, TenderRow

AWARD_JOB = "award"  # the kind of job that runs the award from the tender's page (award_job)


@dataclass(frozen=True)
class Allocation:
    bid_ref: str  # the opened bid's reference
    weekly_quantity: Decimal


def lot_designs(uow: UnitOfWork, tender: TenderRow) -> dict[int, LotDesign]:
    return {r.id: service.stored_lot(uow, r).lot for r in service.lot_rows(uow, tender_id=tender.id)}


def bidders(uow: UnitOfWork, tender: TenderRow | None = None) -> dict[str, engine.Bidder]:
    """Providers by code. For an evaluated ``tender``, each one's SME flag is the one its award was decided on
    (kept with the evaluation), so a later correction of the directory cannot change a decided award's figures;
    before that, the one it declared with its bid (``bidders_as_declared``); with no tender, the directory's."""
    decided = decided_smes(tender)
    if tender is not None and decided is None:
        return bidders_as_declared(uow, tender)
    return {o.code: engine.Bidder(o.code, o.name, o.sme if decided is None else o.code in decided)
            for o in partners.list_organisations(uow=uow, kind=OrgKind.PROVIDER)}


def bidders_as_declared(uow: UnitOfWork, tender: TenderRow) -> dict[str, engine.Bidder]:
    """Providers by code, each with the SME status it declared with its latest bid on ``tender`` (the directory's
    for a provider that has not bid, or whose bids were sealed before bids kept it): a bidder cannot make itself
    an SME after sealing to count towards the floor. What an award is run on."""
    declared = declared_smes(uow, tender)
    return {o.code: engine.Bidder(o.code, o.name, declared.get(o.code, o.sme))
            for o in partners.list_organisations(uow=uow, kind=OrgKind.PROVIDER)}


def declared_smes(uow: UnitOfWork, tender: TenderRow) -> dict[str, bool]:
    """Each bidder's SME status as declared with its latest bid on ``tender`` (bids sealed before it was kept
    declare none)."""
    rows = uow.session.execute(select(BidRow.provider_code, BidRow.sme_declared).where(
        BidRow.tender_id == tender.id, BidRow.sme_declared.is_not(None)).order_by(BidRow.submitted_at, BidRow.id))
    return {code: bool(flag) for code, flag in rows}  # the latest bid's, as later rows overwrite earlier ones


def decided_smes(tender: TenderRow | None) -> set[str] | None:
    """The SMEs among the bidders when ``tender`` was evaluated; None before (or for evaluations stored without)."""
    if tender is None or tender.evaluation_json is None:
        return None
    smes = json.loads(tender.evaluation_json).get("smes")
    return None if smes is None else set(smes)


def opened_bids(uow: UnitOfWork, tender: TenderRow) -> list[tuple[BidRow, engine.OpenedBid]]:
    lots = {r.id: r.code for r in service.lot_rows(uow, tender_id=tender.id)}
    rows = uow.session.execute(select(BidRow).where(BidRow.tender_id == tender.id,
                                                    BidRow.status == BidStatus.OPENED.value).order_by(BidRow.id))
    result = []
    for row in rows.scalars():
        quality = from_cents(row.panel_quality_cents if row.panel_quality_cents is not None else row.quality_cents)
        result.append((row, engine.OpenedBid(row.id, row.reference, row.provider_code, lots[row.lot_id],
                                             row.price, quality or Decimal(0),  # type: ignore[arg-type]
                                             from_cents(row.max_quantity_cents), from_cents(row.capacity_cents))))
    return result


def broken_rules(uow: UnitOfWork, tender: TenderRow, *, lots: Mapping[int, LotDesign] | None = None,
                 who: Mapping[str, engine.Bidder] | None = None) -> list[str]:
    """The tender's rules its current award breaks (one changed by hand may), in words; empty before evaluation.
    A caller that has the tender's ``lots`` (``lot_designs``) or bidders (``bidders``) already passes them."""
    uow.session.flush()
    awarded = [rule_check.Awarded(a.provider_code, code, from_cents(a.weekly_quantity_cents) or Decimal(0))
               for a, code in uow.session.execute(select(AwardRow, LotRow.code).join(
                   LotRow, LotRow.id == AwardRow.lot_id).where(AwardRow.tender_id == tender.id))]
    if not awarded:
        return []
    who = bidders(uow, tender) if who is None else who
    lots = lot_designs(uow, tender) if lots is None else lots
    return rule_check.rules_broken(awarded, lots.values(), [b for _, b in opened_bids(uow, tender)],
                                   AwardRules.parse(json.loads(tender.rules_json)),
                                   {code: b.name for code, b in who.items()}, {c for c, b in who.items() if b.sme})


def _market_today(uow: UnitOfWork, caller: Caller, tender: TenderRow, lots: Iterable[LotDesign]) -> dict[str, Any]:
    """Today's market for the tender's demand, from the current providers named on it now: kept with the
    evaluation, so a later import of demand cannot rewrite the market an award was compared with."""
    demand = service.list_demand(uow=uow, caller=caller, consortium_id=tender.consortium_id)
    values, unnamed = engine.today_values(demand, lots, bidders(uow))
    return {"values": {who: v.pence for who, v in values.items()}, "unnamed": unnamed.pence}


def _summary(result: Any, smes: set[str]) -> dict[str, Any]:
    yearly = engine.yearly_by_provider(result)
    health = engine.market(yearly, smes)
    return {"yearly_cost": Money.sum(yearly.values()).pence, "status": str(result.status),
            "values": {p: v.pence for p, v in health.values.items()}, "hhi": str(health.hhi),
            "sme_share": str(health.sme_share), "winners": health.winners, "solver": result.solver,
            "seconds": result.seconds}


def _store_awards(uow: UnitOfWork, tender: TenderRow, plan: list[tuple[int, Decimal]], source: str,
                  bids: dict[int, BidRow], reason: str | None = None) -> None:
    for bid_id, weekly in plan:
        bid = bids[bid_id]
        weekly_cost = bid.price.times(weekly, rounding=Rounding.HALF_UP)  # type: ignore[union-attr]
        uow.session.add(AwardRow(tender_id=tender.id, lot_id=bid.lot_id, bid_id=bid.id, provider_code=bid.provider_code,
                                 weekly_quantity_cents=cents(weekly), price=bid.price, weekly_cost=weekly_cost,
                                 annual_value=engine.line_yearly(bid.price, weekly),  # type: ignore[arg-type]
                                 source=source, reason=reason))


AwardInputs = tuple[AwardRules, dict[int, LotDesign], list[tuple[BidRow, engine.OpenedBid]], dict[str, engine.Bidder]]


def _award_inputs(uow: UnitOfWork, tender: TenderRow) -> AwardInputs:
    return AwardRules.parse(json.loads(tender.rules_json)), lot_designs(uow, tender), opened_bids(uow, tender), \
        bidders_as_declared(uow, tender)


def _as_decided(inputs: AwardInputs) -> tuple[Any, ...]:
    """What an award depends on, comparable: the rules, lots, opened bids and their bidders (a provider that
    registers meanwhile changes nothing)."""
    rules, lots, pairs, who = inputs
    bids = [bid for _, bid in pairs]
    return rules, lots, bids, {bid.provider: who.get(bid.provider) for bid in bids}


def award_state(uow: UnitOfWork, tender: TenderRow) -> tuple[Any, ...]:
    """The award as stored: an override saved, or another run stored, while this one ran must not be lost."""
    return tender.evaluated_at, tender.override_reason, _plan_view(uow, tender)


def evaluate(*, uow: UnitOfWork, caller: Caller, ref: str, time_limit: float = 30.0,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run the award under the tender's rules, plus "cheapest wins" and each rule's cost; store the plan.

    The optimiser runs outside any transaction (its runs may take minutes on a large tender, and on SQLite a
    transaction holds every other request up); the tender is then locked, and the plan stored only if nothing
    the award was decided on changed meanwhile."""
    tender, _ = tender_for(uow, caller, ref, manage=True)
    check_move(tender.ref, TenderStatus(tender.status), "evaluate")
    decided_on = _award_inputs(uow, tender)
    rules, lots, pairs, who = decided_on
    tender_ref, award_before = tender.ref, award_state(uow, tender)
    uow.pause()  # from here until the lock below, no stored row is touched: reading one would begin a transaction
    comparison = engine.compare(tender_ref, list(lots.values()), [b for _, b in pairs], who, rules,
                                time_limit=time_limit, progress=progress)
    tender, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    new_status = check_move(tender.ref, TenderStatus(tender.status), "evaluate")
    now_on = _award_inputs(uow, tender)
    if _as_decided(now_on) != _as_decided(decided_on) or award_state(uow, tender) != award_before:
        raise CarepoolError(f"tender {tender.ref} changed while the award ran (its rules, lots, bids, panel "
                            "scores or award): nothing was stored; run the award again", kind="conflict")
    rules, lots, pairs, who = now_on
    by_key = {(b.provider, b.lot): row for row, b in pairs}
    uow.session.execute(delete(AwardRow).where(AwardRow.tender_id == tender.id))
    plan = [(by_key[(a.provider, a.lot)].id, a.quantity) for a in comparison.awarded.awards]
    _store_awards(uow, tender, plan, "optimiser", {row.id: row for row, _ in pairs})
    bidders_on_tender = set(uow.session.execute(select(BidRow.provider_code).where(
        BidRow.tender_id == tender.id)).scalars())  # tampered and superseded bids' providers too (shown later)
    smes = {code for code in bidders_on_tender if code in who and who[code].sme}
    floor = rules.min_quality
    excluded = [{"bid": b.bid_ref, "provider": b.provider, "lot": b.lot, "reason": f"quality {b.quality} below the "
                 f"floor of {floor}"} for _, b in pairs if floor is not None and b.quality < floor]
    evaluation = {"awarded": _summary(comparison.awarded, smes), "cheapest": _summary(comparison.cheapest, smes),
                  "rule_costs": {k: v.pence for k, v in comparison.rule_costs.items()}, "excluded": excluded,
                  "unawarded": comparison.unawarded,
                  "gap": comparison.awarded.gap, "smes": sorted(smes),
                  "today": _market_today(uow, caller, tender, lots.values())}
    tender.evaluation_json = json.dumps(evaluation)
    tender.status, tender.evaluated_at, tender.override_reason = new_status.value, uow.now(), None
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.evaluated",
                 entity_type="tender", entity_id=tender.ref,
                 after={"rules": rules.as_dict(), "awards": _awards_in_words(_plan_view(uow, tender), who),
                        **{k: evaluation[k] for k in ("excluded", "unawarded")},
                     # in pounds, as every other amount in the trail (the stored evaluation keeps pence)
                     "rule_costs": {k: v.plain() for k, v in comparison.rule_costs.items()},
                     "yearly_cost": Money(evaluation["awarded"]["yearly_cost"]).plain(),
                     "cheapest_yearly_cost": Money(evaluation["cheapest"]["yearly_cost"]).plain()})
    uow.commit()
    return evaluation


def _awards_in_words(plan: list[tuple[str, str, Decimal]], who: Mapping[str, engine.Bidder]) -> list[list[str]]:
    """An award's lines for the audit trail: each provider by name, with its code (as the History shows)."""
    return [[f"{who[p].name} ({p})" if p in who else p, lot, str(q)] for p, lot, q in plan]


def _plan_view(uow: UnitOfWork, tender: TenderRow) -> list[tuple[str, str, Decimal]]:
    uow.session.flush()
    rows = uow.session.execute(select(AwardRow, LotRow.code).join(LotRow, LotRow.id == AwardRow.lot_id)
                               .where(AwardRow.tender_id == tender.id).order_by(LotRow.code, AwardRow.provider_code))
    return [(a.provider_code, code, from_cents(a.weekly_quantity_cents) or Decimal(0)) for a, code in rows]


def _not_while_running(uow: UnitOfWork, tender: TenderRow, then: str) -> None:
    """Refuse to change or confirm an award that a run started from the page is about to replace."""
    job = jobs.running(uow=uow, kind=AWARD_JOB, subject=tender.ref)
    if job is not None:
        raise CarepoolError(f"the award of tender {tender.ref} is being run again ({jobs.started_words(job)}): wait "
                            f"for it to finish, then {then}", kind="conflict")


def override(*, uow: UnitOfWork, caller: Caller, ref: str, allocations: list[Allocation], reason: str) -> list[str]:
    """Replace the award of the lots named in ``allocations`` by hand; the reason is recorded. Returns the tender's
    rules the award now breaks (recorded too), so the team knows before it confirms."""
    tender, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    check_move(tender.ref, TenderStatus(tender.status), "override the award of")
    _not_while_running(uow, tender, "change the award it makes")
    if not reason.strip():
        raise CarepoolError("an override needs a reason; it is recorded in the audit trail and the award")
    lots = lot_designs(uow, tender)
    opened = {row.reference: row for row, _ in opened_bids(uow, tender)}
    who = bidders(uow, tender)
    per_lot: dict[int, Decimal] = defaultdict(Decimal)
    plan: list[tuple[int, Decimal]] = []
    for item in allocations:
        bid = opened.get(sealing.clean_reference(item.bid_ref) or "")
        if bid is None:
            raise not_found(f"opened bid {item.bid_ref} in tender {tender.ref}")
        named = f"{who[bid.provider_code].name if bid.provider_code in who else bid.provider_code} on " \
                f"{lots[bid.lot_id].code}"  # as the buyer's tables show a bid (its reference is the provider's)
        weekly = quantity(item.weekly_quantity, what=f"hours a week for {named}", zero_ok=True)
        cap = from_cents(bid.max_quantity_cents)
        if cap is not None and weekly > cap:
            raise CarepoolError(f"{named}: {weekly} hours a week is more than the {cap} the provider offered")
        per_lot[bid.lot_id] += weekly
        if weekly > 0:
            plan.append((bid.id, weekly))
    for lot_id, total in per_lot.items():
        if total != lots[lot_id].weekly_quantity:
            raise CarepoolError(f"lot {lots[lot_id].code}: the allocations add up to {total} hours a week, "
                                f"but the lot is {lots[lot_id].weekly_quantity}")
    before = _plan_view(uow, tender)
    uow.session.execute(delete(AwardRow).where(AwardRow.tender_id == tender.id, AwardRow.lot_id.in_(list(per_lot))))
    _store_awards(uow, tender, plan, "override", {row.id: row for row in opened.values()}, reason.strip())
    tender.override_reason = reason.strip()
    broken = broken_rules(uow, tender, lots=lots, who=who)
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="award.overridden",
                 entity_type="tender", entity_id=tender.ref, before=_awards_in_words(before, who),
                 after={"awards": _awards_in_words(_plan_view(uow, tender), who),
                        "reason": reason.strip(), "rules_broken": broken})
    uow.commit()
    return broken


def confirm(*, uow: UnitOfWork, caller: Caller, ref: str) -> None:
    """Confirm the award decision: bidders are told their result and the standstill period starts."""
    tender, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    _not_while_running(uow, tender, "confirm the award it makes")
    tender.status = check_move(tender.ref, TenderStatus(tender.status), "confirm the award of").value
    now = uow.now()
    tender.awarded_at, tender.standstill_ends = now, now + STANDSTILL
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="award.confirmed",
                 entity_type="tender", entity_id=tender.ref,
                 after={"standstill_ends": tender.standstill_ends.isoformat(),
                        "override_reason": tender.override_reason, "rules_broken": broken_rules(uow, tender)})
    tendering.keep_release(uow, tender, "award")
    uow.commit()


def make_contracts(*, uow: UnitOfWork, caller: Caller, ref: str) -> int:
    """One framework call-off contract per award, once the standstill period is over."""
    tender, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    new_status = check_move(tender.ref, TenderStatus(tender.status), "make contracts for")
    now, ends = uow.now(), tender.standstill_ends
    if ends is None or now < ends:  # type: ignore[operator]
        raise CarepoolError(f"tender {tender.ref} is in its standstill period until {ends:%Y-%m-%d %H:%M} UTC; "
                            "contracts can be made after it", kind="conflict")
    start, end = contract_period(ends, tender.contract_start)
    awards = uow.session.execute(select(AwardRow, LotRow.code).join(LotRow, LotRow.id == AwardRow.lot_id)
                                 .where(AwardRow.tender_id == tender.id).order_by(LotRow.code, AwardRow.id)).all()
    for n, (award, lot_code) in enumerate(awards, start=1):
        uow.session.add(ContractRow(ref=f"{tender.ref}-{lot_code}-{n:02d}", tender_id=tender.id, award_id=award.id,
                                    lot_id=award.lot_id, provider_code=award.provider_code, start_date=start,
                                    end_date=end, annual_value=award.annual_value, signed_at=now))
    tender.status, tender.contracted_at = new_status.value, now
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="contracts.made",
                 entity_type="tender", entity_id=tender.ref,
                 after={"contracts": len(awards), "start": start.isoformat(), "end": end.isoformat(),
                        "annual_value": Money.sum(a.annual_value for a, _ in awards).plain()})
    tendering.keep_release(uow, tender, "contract")
    uow.commit()
    return len(awards)
