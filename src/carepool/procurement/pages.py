"""Pages for the buying side: tenders, the lot plan and its grid, the tender builder, one tender
(opening, evaluation, award summary with charts, savings). Providers' pages are in ``portal``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from carepool.audit.pages import events_table
from carepool.core.errors import CarepoolError
from carepool.core.ids import row_number
from carepool.partners import service as partners
from carepool.partners.model import Caller, Role
from carepool.procurement import (
    charts,
    evaluation,
    io,
    open_data,
    opening,
    portal,
    reports,
    sealing,
    service,
    tendering,
)
from carepool.procurement.model import RULE_LABELS, RULE_NAMES, SERVICES, quantity
from carepool.web.deps import CallerDep, RowId, RowQuery, UowDep
from carepool.web.flash import flash, keep_typed, take_flash, typed_back
from carepool.web.rendering import render
from carepool.web.uploads import read_upload, upload_name

router = APIRouter(include_in_schema=False)
router.include_router(portal.router)
router.include_router(open_data.router)
NAV = (30, "Procurement", "/tenders")
RULE_FIELDS = tuple(RULE_LABELS)


def attempt(request: Request, action: Callable[[], Any], done: str, back: str) -> RedirectResponse:
    """Run a service call; on a CarepoolError say why on the page we came from, else say what was done
    (``done``, or the words the action returns, or ``(words, "warning")`` for done-but-check)."""
    try:
        said = action()
    except CarepoolError as error:
        flash(request, str(error), "error", to=back)
        return RedirectResponse(back, status_code=303)
    words, kind = said if isinstance(said, tuple) else (said if isinstance(said, str) else done, "notice")
    flash(request, words, kind, to=back)
    return RedirectResponse(back, status_code=303)


@router.get("/tenders")
def tenders(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    return render(request, "procurement/tenders.html", {
        "tenders": tendering.list_tenders(uow=uow, caller=caller),
        "consortia": service.list_consortia(uow=uow, caller=caller),
        "is_provider": caller.has(Role.PROVIDER), "flash": take_flash(request)}, caller=caller)


def _grid(lots: list[service.StoredLot], uow: UowDep) -> dict[str, Any]:
    """Boroughs down, services across; each cell the lots there, their value and the SME flag."""
    localities = {loc.code: loc for loc in partners.list_localities(uow=uow)}
    councils = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    services = sorted({s.lot.service for s in lots})
    rows: dict[str, dict[str, list[service.StoredLot]]] = {}
    for stored in lots:
        council = localities[stored.lot.localities[0]].council_code if stored.lot.localities[0] in localities else "?"
        rows.setdefault(council, {}).setdefault(stored.lot.service, []).append(stored)
    return {"services": [SERVICES[s] for s in services],
            "rows": [(councils.get(c, c), cells) for c, cells in sorted(rows.items(), key=lambda kv: councils.get(
                kv[0], kv[0]))]}


@router.get("/tenders/plan/{consortium_id}")
def plan(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    consortium = service.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id)
    lots = service.list_lots(uow=uow, caller=caller, consortium_id=consortium_id)
    threshold, why = service.sme_threshold_of(uow=uow, caller=caller, consortium_id=consortium_id)
    demand = service.list_demand(uow=uow, caller=caller, consortium_id=consortium_id)
    return render(request, "procurement/plan.html", {
        "consortium": consortium, "lots": lots, "grid": _grid(lots, uow), "threshold": threshold, "why": why,
        "demand_lines": len(demand), "demand_hours": sum((d.weekly_quantity for d in demand), Decimal(0)),
        "can_manage": caller.has(Role.PROCUREMENT), "flash": take_flash(request),
        "can_import_own": caller.has(Role.COMMISSIONER) and caller.organisation_code in dict(consortium.members),
        "demand_typed": typed_back(request, "demand"), "merge_typed": typed_back(request, "merge") or {},
        "in_live_tender": tendering.plan_lots_in_live_tenders(uow, consortium_id)}, caller=caller)


@router.post("/tenders/plan/{consortium_id}/demand")
def upload_demand(request: Request, consortium_id: RowId, file: UploadFile, caller: CallerDep,
                  uow: UowDep, replace_all: Annotated[bool, Form()] = False) -> Response:
    def act() -> str:
        service.demand_writer(uow=uow, caller=caller, consortium_id=consortium_id)  # before the file is read
        try:
            demand = read_upload(file, io.read_demand, uow=uow)
            saved = service.save_demand(uow=uow, caller=caller, consortium_id=consortium_id, lines=demand.lines,
                                        problems=demand.problems, incomplete=demand.incomplete,
                                        what=upload_name(file), replace_all=replace_all)
        except CarepoolError:
            keep_typed(request, "demand", {"replace_all": replace_all})  # the panel comes back open, as it was
            raise
        return _demand_words(upload_name(file), saved, {o.code: o.name for o in partners.list_organisations(uow=uow)})
    return attempt(request, act, "Demand imported.", f"/tenders/plan/{consortium_id}")


def _lines(count: int) -> str:
    return f"{count:,} line{'s' if count != 1 else ''}"


def _demand_words(file: str, saved: service.DemandSaved, names: dict[str, str]) -> str:
    """In words: "Imported demand.csv: 1 line for Brent, in place of 7 lines; other members' 31 lines kept."."""
    whose = ", ".join(names.get(code, code) for code in saved.members)
    kept = f"; other members' {_lines(saved.kept)} kept" if saved.kept else ""
    return f"Imported {file}: {_lines(saved.lines)} for {whose}, in place of {_lines(saved.replaced)}{kept}."


@router.post("/tenders/plan/{consortium_id}/threshold")
def set_threshold(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
                  hours: Annotated[str, Form()] = "") -> Response:
    def act() -> None:
        stated = quantity(hours, what="SME threshold (hours a week)") if hours.strip() else None
        service.set_sme_threshold(uow=uow, caller=caller, consortium_id=consortium_id, hours=stated)
    return attempt(request, act, "Threshold saved; rebuild the lots to apply it.", f"/tenders/plan/{consortium_id}")


@router.post("/tenders/plan/{consortium_id}/build")
def build(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
          split_big: Annotated[bool, Form()] = False) -> Response:
    return attempt(request, lambda: service.build_lots(uow=uow, caller=caller, consortium_id=consortium_id,
                                                       split_big=split_big),
                   "Lots rebuilt from demand.", f"/tenders/plan/{consortium_id}")


@router.post("/tenders/plan/{consortium_id}/lots/{lot_id}/split")
def split(request: Request, consortium_id: RowId, lot_id: RowId, caller: CallerDep, uow: UowDep,
          parts: Annotated[str, Form()] = "") -> Response:
    def act() -> str:
        text = parts.strip()
        if not text.isascii() or not text.isdigit() or not 2 <= int(text) <= 50:
            raise CarepoolError(f"parts: give the number of parts to split the lot into, 2 to 50, not {parts!r}")
        before = _plan_codes(uow, caller, consortium_id)
        pieces = [s for s in service.split_lot(uow=uow, caller=caller, lot_id=lot_id, parts=int(text))
                  if s.lot.code not in before]
        return f"Lot split into {len(pieces)}: {', '.join(p.lot.code for p in pieces)}.{_too_big(pieces)}"
    return attempt(request, act, "", f"/tenders/plan/{consortium_id}")


def _plan_codes(uow: Any, caller: Caller, consortium_id: int) -> set[str]:
    return {s.lot.code for s in service.list_lots(uow=uow, caller=caller, consortium_id=consortium_id)}


def _too_big(lots: list[service.StoredLot]) -> str:
    big = [s.lot.code for s in lots if s.lot.too_big_for_sme]
    return f" Still too big for a small provider: {', '.join(big)}." if big else ""


@router.post("/tenders/plan/{consortium_id}/merge")
def merge(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
          lot_ids: Annotated[list[str], Form()], name: Annotated[str, Form()] = "") -> Response:
    def act() -> str | tuple[str, str]:
        try:
            ids = [row_number(v, what="lots to merge") for v in lot_ids]
            before = _plan_codes(uow, caller, consortium_id)
            merged = [s for s in service.merge_lots(uow=uow, caller=caller, lot_ids=ids, name=name or None)
                      if s.lot.code not in before]
        except CarepoolError:
            keep_typed(request, "merge", {"lot_ids": [v[:12] for v in lot_ids[:200]], "name": name[:200]})
            raise
        done = f"Lots merged into {merged[0].lot.code}."
        if merged[0].lot.too_big_for_sme:
            return (f"{done} It is larger than a small provider could take on ({merged[0].lot.weekly_quantity:,} "
                    "hours a week, above the SME threshold), so it is flagged too big.", "warning")
        return done
    return attempt(request, act, "", f"/tenders/plan/{consortium_id}")


RULE_DEFAULTS = {"max_share": "0.30", "min_sme_share": "0.25", "min_quality": "60", "quality_weight": "0",
                 "min_award_fraction": "0.2", "max_providers": "2"}


@router.get("/tenders/new")
def builder(request: Request, consortium: RowQuery, caller: CallerDep, uow: UowDep) -> Response:
    caller.require(Role.PROCUREMENT)  # before anyone types a whole tender in
    return _builder_page(request, caller, uow, consortium, None, None)


def _builder_page(request: Request, caller: Caller, uow: Any, consortium_id: int, form: dict[str, Any] | None,
                  error: CarepoolError | None) -> Response:
    """The tender builder, blank or as sent back with what was typed. Lots whose demand is already in a live
    tender start unticked and say where."""
    lots = service.list_lots(uow=uow, caller=caller, consortium_id=consortium_id)
    live = tendering.plan_lots_in_live_tenders(uow, consortium_id)
    if form is None:
        values = {"title": "", "description": "", "deadline": "", **RULE_DEFAULTS}
        ticked = {s.id for s in lots if s.lot.code not in live}
    else:
        values = {k: str(form.get(k, "")) for k in ("title", "description", "deadline", *RULE_FIELDS)}
        ticked = {int(v) for v in form.get("lot_ids", []) if str(v).isascii() and str(v).isdigit()}
    return render(request, "procurement/builder.html", {
        "consortium": service.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id), "lots": lots,
        "in_live_tender": live, "values": values, "ticked": ticked, "error": error, "rule_labels": RULE_LABELS},
        caller=caller, status_code=422 if error is not None else 200)


def _rules(form: dict[str, Any]) -> dict[str, Any]:
    return {k: form[k] for k in RULE_FIELDS if str(form.get(k, "")).strip()}


def _deadline(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
    except ValueError:
        raise CarepoolError(f"deadline {text!r} is not a date and time") from None


@router.post("/tenders/new")
async def create(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    caller.require(Role.PROCUREMENT)  # a refusal, not the form again
    form = await request.form()
    consortium_id = row_number(form.get("consortium_id", ""), what="consortium")
    typed = {**dict(form), "lot_ids": form.getlist("lot_ids")}
    try:
        lot_ids = [row_number(v, what="lots") for v in form.getlist("lot_ids")]
        tender = tendering.create_tender(
            uow=uow, caller=caller, consortium_id=consortium_id, title=str(form.get("title", "")),
            description=str(form.get("description", "")), lot_ids=lot_ids,
            rules=_rules(dict(form)), deadline=_deadline(str(form.get("deadline", ""))))
    except CarepoolError as error:
        uow.rollback()
        return _builder_page(request, caller, uow, consortium_id, typed, error)
    flash(request, f"Draft tender {tender.ref} created. Check it, then publish it.", to=f"/tenders/{tender.ref}")
    return RedirectResponse(f"/tenders/{tender.ref}", status_code=303)


@router.get("/tenders/{ref}")
def tender_page(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    tender = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    context: dict[str, Any] = {"tender": tender, "flash": take_flash(request), "rule_labels": RULE_LABELS,
                               "rule_names": RULE_NAMES,
                               "can_manage": tender.is_member and caller.has(Role.PROCUREMENT)}
    if not tender.is_member:
        return portal.tender_for_provider(request, tender, caller, uow, context)
    context["listing"] = reports.bid_listing(uow=uow, caller=caller, ref=ref)
    context["override_typed"] = typed_back(request, "override")
    context["panel_typed"] = typed_back(request, "panel")
    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    context["summary"] = summary
    context["charts"] = summary is not None
    if summary is not None:
        context["figures"] = charts.award_charts(summary)
    return render(request, "procurement/tender.html", context, caller=caller)


@router.get("/tenders/{ref}/history")
def history_page(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    """What every member did to the tender (each member's audit trail shows its own organisation's actions)."""
    events = reports.tender_history(uow=uow, caller=caller, ref=ref)
    tender = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    return render(request, "procurement/history.html", {
        "tender": tender, "flash": None, **events_table(uow, events)}, caller=caller)


def _back(ref: str) -> str:
    return f"/tenders/{ref}"


@router.post("/tenders/{ref}/publish")
def publish(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    return attempt(request, lambda: tendering.publish(uow=uow, caller=caller, ref=ref), "Tender published.",
                   _back(ref))


@router.post("/tenders/{ref}/edit")
async def edit(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    form = dict(await request.form())

    def act() -> str:
        view = tendering.update_tender(
            uow=uow, caller=caller, ref=ref, title=str(form["title"]) if "title" in form else None,
            description=str(form["description"]) if "description" in form else None,
            deadline=_deadline(str(form.get("deadline", ""))), rules=_rules(form) or None)
        gone = view.bids_invalidated
        return "Tender changed." + (f" {gone} submitted bid{'s were' if gone != 1 else ' was'} invalidated; "
                                    "the bidders are asked to bid again." if gone else "")
    return attempt(request, act, "Tender changed.", _back(ref))


@router.post("/tenders/{ref}/cancel")
def cancel(request: Request, ref: str, caller: CallerDep, uow: UowDep,
           reason: Annotated[str, Form()] = "") -> Response:
    return attempt(request, lambda: tendering.cancel(uow=uow, caller=caller, ref=ref, reason=reason),
                   "Tender cancelled.", _back(ref))


@router.post("/tenders/{ref}/open")
def open_bids(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    result: list[Any] = []

    def act() -> None:
        result.append(opening.open_bids(uow=uow, caller=caller, ref=ref))
    response = attempt(request, act, "", _back(ref))
    if result:
        found = result[0]
        opened = f"{found.opened} bid{'' if found.opened == 1 else 's'} opened"
        excluded = ("1 did not match its receipt and was excluded" if len(found.tampered) == 1 else
                    f"{len(found.tampered)} did not match their receipts and were excluded")
        flash(request, f"{opened}; every hash matched its receipt." if not found.tampered else f"{opened}; {excluded}.",
              "notice" if not found.tampered else "error", to=_back(ref))
    return response


@router.post("/tenders/{ref}/bids/{bid_ref}/panel-score")
def panel_score(request: Request, ref: str, bid_ref: str, caller: CallerDep, uow: UowDep,
                score: Annotated[str, Form()], note: Annotated[str, Form()] = "") -> Response:
    """Record a panel score; a refusal names the bid as the table shows it (provider and lot) and keeps what was
    typed in its row."""
    bid = next((b for b in reports.bid_listing(uow=uow, caller=caller, ref=ref).bids
                if b.reference == sealing.clean_reference(bid_ref)), None)
    named = f"{bid.provider_name} on {bid.lot_code}" if bid is not None else f"bid {bid_ref}"

    def act() -> str:
        try:
            opening.set_panel_score(uow=uow, caller=caller, ref=ref, bid_ref=bid_ref, note=note,
                                    score=quantity(score, what="score", zero_ok=True))
        except CarepoolError as error:
            keep_typed(request, "panel", {"bid": bid_ref[:20], "score": score[:20], "note": note[:300]})
            raise CarepoolError(f"Panel score for {named}: {error.message}", kind=error.kind) from None
        return f"Panel score for {named} recorded."

    return attempt(request, act, "", _back(ref))


@router.post("/tenders/{ref}/evaluate")
def evaluate(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    def act() -> None:
        try:
            evaluation.evaluate(uow=uow, caller=caller, ref=ref)
        except CarepoolError as error:
            if error.kind != "infeasible":
                raise
            raise CarepoolError(  # say what can still be done: the rules were published with the tender
                f"{error.message.rstrip('.')}. The rules were published with the tender and cannot change once "
                "bids are open, and nor can the bids. Panel scores can only decide which bids pass the quality "
                "floor; if that cannot help, cancel the tender and publish a new one under rules the market can "
                "meet.", kind=error.kind, problems=error.problems) from None
    return attempt(request, act, "Award run. Review it below, override with a reason if you must, then confirm.",
                   _back(ref))


@router.post("/tenders/{ref}/override")
async def override(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    form = await request.form()
    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    current = {(a.lot_code, a.provider_code): a.weekly_quantity for a in (summary.awards if summary else [])}
    listing = reports.bid_listing(uow=uow, caller=caller, ref=ref)
    typed = {bid.reference: str(form.get(f"q{bid.reference}", "")).strip() for bid in listing.bids}
    reason = str(form.get("reason", ""))

    def act() -> str:
        try:
            return _override(uow, caller, ref, listing.bids, typed, current, reason)
        except CarepoolError:
            keep_typed(request, "override", {"hours": {k: v[:20] for k, v in typed.items() if v},
                                             "reason": reason[:300]})
            raise

    return attempt(request, act, "", _back(ref))


def _override(uow: Any, caller: Caller, ref: str, bids: list[reports.BidLine], typed: dict[str, str],
              current: dict[tuple[str, str], Decimal], reason: str) -> str | tuple[str, str]:
    """Replace the award of the lots whose typed hours differ from the award; say what was done."""
    changed_lots: set[str] = set()
    wanted: dict[str, tuple[str, Decimal]] = {}
    for bid in bids:
        if not typed[bid.reference]:
            continue
        hours = quantity(typed[bid.reference], what=f"hours a week for {bid.provider_name} on {bid.lot_code}",
                         zero_ok=True)
        wanted[bid.reference] = (bid.lot_code, hours)
        if hours != current.get((bid.lot_code, bid.provider_code), Decimal(0)):
            changed_lots.add(bid.lot_code)
    allocations = [evaluation.Allocation(bid_ref, hours) for bid_ref, (lot, hours) in wanted.items()
                   if lot in changed_lots]
    if not allocations:
        return "Nothing was changed."
    broken = evaluation.override(uow=uow, caller=caller, ref=ref, allocations=allocations, reason=reason)
    done = f"Award of {', '.join(sorted(changed_lots))} changed; the reason is recorded."
    if not broken:
        return done
    return (done + "\nIt now breaks the tender's published rules (recorded in the History). Put it right, or be sure "
            "the recorded reason justifies each before you confirm:\n" + "\n".join(f"  {b}" for b in broken), "warning")


@router.post("/tenders/{ref}/confirm")
def confirm(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    return attempt(request, lambda: evaluation.confirm(uow=uow, caller=caller, ref=ref),
                   "Award confirmed. Bidders can see their results; the standstill period has started.", _back(ref))


@router.post("/tenders/{ref}/contracts")
def contracts(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    return attempt(request, lambda: evaluation.make_contracts(uow=uow, caller=caller, ref=ref),
                   "Call-off contracts made.", _back(ref))
