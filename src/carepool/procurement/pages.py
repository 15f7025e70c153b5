"""Pages for the buying side: tenders, the tender builder, one tender (opening, evaluation, award summary with
charts, savings). The lot plan is in ``plan_pages``, providers' pages in ``portal``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from carepool.audit.pages import events_table
from carepool.core.errors import CarepoolError
from carepool.core.ids import row_number
from carepool.jobs import service as jobs
from carepool.jobs.model import worth_showing
from carepool.partners.model import Caller, Role
from carepool.procurement import (
    award_job,
    charts,
    consortia,
    coverage,
    edit_pages,
    evaluation,
    membership_pages,
    open_data,
    opening,
    plan_pages,
    portal,
    reports,
    sealing,
    service,
    split_pages,
    tendering,
    validation,
)
from carepool.procurement.access import consortium_for, manages
from carepool.procurement.award_rules import RULE_LABELS, RULE_NAMES, AwardRules
from carepool.procurement.edit_pages import award_token, contract_start_typed, deadline_typed
from carepool.web.deps import CallerDep, RowQuery, UowDep
from carepool.web.flash import attempt, flash, keep_typed, take_flash, typed_back
from carepool.web.rendering import render

router = APIRouter(include_in_schema=False)
router.include_router(portal.router)
router.include_router(open_data.router)
router.include_router(plan_pages.router)
router.include_router(membership_pages.router)
router.include_router(edit_pages.router)
router.include_router(split_pages.router)
NAV = (30, "Procurement", "/tenders")
RULE_FIELDS = tuple(RULE_LABELS)


@router.get("/tenders")
def tenders(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    return render(request, "procurement/tenders.html", {
        "tenders": tendering.list_tenders(uow=uow, caller=caller),
        "consortia": consortia.list_consortia(uow=uow, caller=caller),
        "invitations": consortia.invitations(uow=uow, caller=caller),
        "can_answer": caller.has(*consortia.ANSWERING_ROLES),
        "buyers": consortia.buyers_besides(uow=uow, caller=caller) if consortia.may_start(caller) else [],
        "consortium_typed": typed_back(request, "consortium") or {},
        "is_provider": caller.has(Role.PROVIDER), "flash": take_flash(request)}, caller=caller)


RULE_DEFAULTS = {"max_share": "0.30", "min_sme_share": "0.25", "min_quality": "60", "quality_weight": "0",
                 "min_award_fraction": "0.2", "max_providers": "2"}


@router.get("/tenders/new")
def builder(request: Request, consortium: RowQuery, caller: CallerDep, uow: UowDep) -> Response:
    consortium_for(uow, caller, consortium, manage=True)  # before anyone types a whole tender in
    return _builder_page(request, caller, uow, consortium, None, None)


def _builder_page(request: Request, caller: Caller, uow: Any, consortium_id: int, form: dict[str, Any] | None,
                  problems: list[FieldProblem] | None) -> Response:
    """The tender builder, blank or as sent back with what was typed and every problem found. Lots whose demand is
    already in a live tender, or under a contract still running, start unticked and say where."""
    lots = service.list_lots(uow=uow, caller=caller, consortium_id=consortium_id)
    live = coverage.plan_lots_already_bought(uow, consortium_id)
    if form is None:
        values = {"title": "", "description": "", "deadline": "", "contract_start": "", **RULE_DEFAULTS}
        ticked = {s.id for s in lots if s.lot.code not in live}
    else:
        values = {k: str(form.get(k, "")) for k in ("title", "description", "deadline", "contract_start", *RULE_FIELDS)}
        ticked = {int(v) for v in form.get("lot_ids", []) if str(v).isascii() and str(v).isdigit()}
    return render(request, "procurement/builder.html", {
        "consortium": consortia.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id), "lots": lots,
        "in_live_tender": live, "values": values, "ticked": ticked, "problems": problems or [],
        "invalid": {p.field for p in problems or []}, "rule_labels": RULE_LABELS},
        caller=caller, status_code=422 if problems else 200)


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the id of the form field it is about, for the summary's link and the field's aria-invalid
    label: str  # as the form labels it
    message: str


def _field_problems(form: dict[str, Any], lot_ids: list[str], now: datetime) -> list[FieldProblem]:
    """Every field's problem at once (title, deadline, contracts start, award rules, lots), each found by the
    same check the tender's creation makes; what only the stored plan can tell (a lot in another live tender) is
    left to creation."""
    problems: list[FieldProblem] = []

    def check(field: str, label: str, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except CarepoolError as error:
            problems.append(FieldProblem(field, label, error.message))
            return None

    if not str(form.get("title", "")).strip():
        problems.append(FieldProblem("title", "Title", "give the tender a title"))
    deadline = check("deadline", "Deadline for bids", lambda: validation.checked_deadline(  # the rules creation uses
        deadline_typed(str(form.get("deadline", ""))), now))
    check("contract_start", "Contracts start", lambda: validation.checked_contract_start(
        contract_start_typed(str(form.get("contract_start", ""))), deadline))
    check(RULE_FIELDS[0], "", lambda: AwardRules.parse(_rules(form)))  # "The award rules need correcting: ..."
    if not lot_ids:
        problems.append(FieldProblem("lots", "Lots", "tick at least one lot from the plan"))
    else:
        check("lots", "", lambda: [row_number(v, what="lots") for v in lot_ids])
    return problems


def _rules(form: dict[str, Any]) -> dict[str, Any]:
    return {k: form[k] for k in RULE_FIELDS if str(form.get(k, "")).strip()}


@router.post("/tenders/new")
async def create(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    caller.require(Role.PROCUREMENT)  # a refusal, not the form again
    form = await request.form()
    consortium_id = row_number(form.get("consortium_id", ""), what="consortium")
    typed = {**dict(form), "lot_ids": form.getlist("lot_ids")}
    if problems := _field_problems(typed, [str(v) for v in form.getlist("lot_ids")], uow.now()):
        return _builder_page(request, caller, uow, consortium_id, typed, problems)
    try:
        tender = tendering.create_tender(
            uow=uow, caller=caller, consortium_id=consortium_id, title=str(form.get("title", "")),
            description=str(form.get("description", "")),
            lot_ids=[row_number(v, what="lots") for v in form.getlist("lot_ids")],
            rules=_rules(dict(form)), deadline=deadline_typed(str(form.get("deadline", ""))),
            contract_start=contract_start_typed(str(form.get("contract_start", ""))))
    except CarepoolError as error:
        uow.rollback()
        return _builder_page(request, caller, uow, consortium_id, typed, [FieldProblem("lots", "", str(error))])
    flash(request, f"Draft tender {tender.ref} created. Check it, then publish it.", to=f"/tenders/{tender.ref}")
    return RedirectResponse(f"/tenders/{tender.ref}", status_code=303)


@router.get("/tenders/{ref}")
def tender_page(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    tender = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    context: dict[str, Any] = {"tender": tender, "flash": take_flash(request), "rule_labels": RULE_LABELS,
                               "rule_names": RULE_NAMES,
                               "can_manage": tender.is_member and manages(caller, tender.consortium.lead_code)}
    if not tender.is_member:
        return portal.tender_for_provider(request, tender, caller, uow, context)
    context["listing"] = reports.bid_listing(uow=uow, caller=caller, ref=ref)
    context["now"] = uow.now()
    latest = jobs.latest(uow=uow, kind=award_job.JOB_KIND, subject=tender.ref)  # a member's, checked above
    context["job"] = worth_showing(latest, tender.evaluated_at, context["now"])
    context["no_bids"] = NO_BIDS
    context["override_typed"] = typed_back(request, edit_pages.OVERRIDE_FORM)
    context["edit_form"] = edit_pages.edit_form(tender, typed_back(request, edit_pages.EDIT_FORM))
    context["panel_typed"] = typed_back(request, "panel")
    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    context["summary"] = summary
    context["award_token"] = award_token(summary)
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


@router.post("/tenders/{ref}/cancel")
def cancel(request: Request, ref: str, caller: CallerDep, uow: UowDep,
           reason: Annotated[str, Form()] = "") -> Response:
    return attempt(request, lambda: tendering.cancel(uow=uow, caller=caller, ref=ref, reason=reason),
                   "Tender cancelled.", _back(ref))


NO_BIDS = ("No bid was made before the deadline, so there is nothing to award. Cancel the tender, saying why, and "
           "tender again (a later deadline, other lots or rules).")


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
        if not found.opened and not found.tampered:
            flash(request, NO_BIDS, "warning", to=_back(ref))
        else:
            flash(request, f"{opened}; every hash matched its receipt." if not found.tampered
                  else f"{opened}; {excluded}.", "notice" if not found.tampered else "error", to=_back(ref))
    return response


@router.post("/tenders/{ref}/bids/{bid_ref}/panel-score")
def panel_score(request: Request, ref: str, bid_ref: str, caller: CallerDep, uow: UowDep,
                score: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    """Record a panel score; a refusal (an empty score or note among them) names the bid as the table shows it
    (provider and lot) and keeps what was typed in its row."""
    bid = next((b for b in reports.bid_listing(uow=uow, caller=caller, ref=ref).bids
                if b.reference == sealing.clean_reference(bid_ref)), None)
    named = f"{bid.provider_name} on {bid.lot_code}" if bid is not None else f"bid {bid_ref}"

    def act() -> str:
        problems = opening.panel_problems(score, note)  # every one at once, in the words the service uses
        try:
            if problems:
                raise CarepoolError("; and ".join(problems.values()))
            opening.set_panel_score(uow=uow, caller=caller, ref=ref, bid_ref=bid_ref, note=note, score=score)
        except CarepoolError as error:
            keep_typed(request, "panel", {"bid": bid_ref[:20], "score": score[:20], "note": note[:300],
                                          "invalid": list(problems) or ["score"]})
            raise CarepoolError(f"Panel score for {named}: {error.message}", kind=error.kind) from None
        return f"Panel score for {named} recorded."

    return attempt(request, act, "", _back(ref))


@router.post("/tenders/{ref}/evaluate")
def evaluate(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    runner = request.app.state.job_runner
    return attempt(request, lambda: award_job.start_in_background(uow=uow, runner=runner, caller=caller, ref=ref),
                   "Running the award: the optimiser runs once under the rules, once as \"cheapest wins\" "
                   "and once without each rule.", _back(ref))


@router.post("/tenders/{ref}/confirm")
def confirm(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    return attempt(request, lambda: evaluation.confirm(uow=uow, caller=caller, ref=ref),
                   "Award confirmed. Bidders can see their results; the standstill period has started.", _back(ref))


@router.post("/tenders/{ref}/contracts")
def contracts(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    return attempt(request, lambda: evaluation.make_contracts(uow=uow, caller=caller, ref=ref),
                   "Call-off contracts made.", _back(ref))
