"""Pages: the agreements a partner belongs to, and per agreement its overview, monthly monitoring,
variations, and payments and settlement. Others' agreements answer 404; changes need the
commissioner or finance role (payments and the settlement: the host's). A proposed agreement shows
who has yet to accept it, with Accept and Decline for them; nothing else changes until every partner has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from carepool.audit.pages import events_table
from carepool.core.errors import HTTP_STATUS, CarepoolError
from carepool.core.money import Money
from carepool.core.periods import FinancialMonth, parse_day
from carepool.db.uow import UnitOfWork
from carepool.partners.model import PARTNER_ROLES, Caller
from carepool.pooled_budget import agreeing, monitoring, payments, reports, service, signoff, variations, yearend
from carepool.pooled_budget.changes import MoveContribution, SetContribution
from carepool.pooled_budget.definition import describe_rule, read_definition
from carepool.pooled_budget.names import namer
from carepool.pooled_budget.page_charts import overview_chart, scheme_chart
from carepool.pooled_budget.template import template_bytes
from carepool.pooled_budget.values import parse_money
from carepool.web.deps import CallerDep, RowId, UowDep
from carepool.web.flash import flash, take_flash
from carepool.web.rendering import render
from carepool.web.uploads import read_upload, saved_uploads

router = APIRouter(include_in_schema=False)
NAV = (20, "Pooled budgets", "/pool", PARTNER_ROLES)
TABS = (("", "Overview"), ("/monitoring", "Monthly monitoring"), ("/variations", "Variations"),
        ("/settlement", "Payments and settlement"), ("/history", "History"))
Form_ = Annotated[str, Form()]
FORM_KINDS = ("move", "contribution")  # the changes the variation form offers; rules go through the API


def _status(error: CarepoolError) -> int:
    return HTTP_STATUS.get(error.kind, 400)


def _context(uow: UnitOfWork, caller: Caller, agreement_id: int, as_at: int | None = None) -> dict[str, Any]:
    m = monitoring.monitor(uow=uow, by=caller, agreement_id=agreement_id, as_at=as_at)
    stored = m.stored
    months = [FinancialMonth(stored.agreement.year, n) for n in range(1, 13)]
    writer = caller.has(*service.WRITE_ROLES)
    this_month = uow.now().date().replace(day=1)
    return {
        "stored": stored, "a": stored.agreement, "m": m, "f": m.forecast, "tabs": TABS, "months": months,
        "can_write": writer and stored.status == service.ACTIVE,
        "is_host": caller.organisation_code == stored.host and writer and stored.agreed,
        "can_decide": writer and caller.organisation_code in stored.waiting_for,
        "statement": yearend.statement(uow=uow, stored=stored), "rules": describe_rule, "error": None,
        "notice": None, "charts": True, "typed": None,
        "open_months": [month for month in months if month.first_day <= this_month],  # figures only for these
    }


def _page(request: Request, caller: Caller, uow: UnitOfWork, agreement_id: int, template: str,
          extra: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    context = _context(uow, caller, agreement_id)
    said = take_flash(request)
    if said and said["kind"] == "error":
        context["error"] = CarepoolError(said["message"])
    elif said:
        context["notice"] = said["message"]
    context.update(extra or {})
    if template == "pooled_budget/overview.html":
        context["chart"] = overview_chart(context["f"])
    if template == "pooled_budget/monitoring.html":
        context["scheme_charts"] = [scheme_chart(context["f"], s) for s in context["f"].schemes]
    if template == "pooled_budget/variations.html":
        context["variations"] = variations.list_variations(uow=uow, stored=context["stored"])
    stored, statement = context["stored"], context["statement"]
    actors = [d.by for d in stored.decisions] + ([stored.declined_by.by] if stored.declined_by else [])
    actors += [statement.settled_by] if statement else []
    for v in context.get("variations", ()):
        actors += [v.proposed_by, *(d.by for d in v.decisions)]
    context["who"] = namer(uow=uow, actors=actors)
    if template == "pooled_budget/settlement.html":
        context["payments"] = payments.list_payments(uow=uow, stored=context["stored"])
        context["ledger_problems"] = (yearend.check_ledger(uow=uow, stored=context["stored"])
                                      if context["stored"].agreed else [])  # no accounts before every partner agreed
        context["can_sign"] = caller.has(*signoff.SIGNERS) and any(
            p.code == caller.organisation_code for p in context["a"].partners)
    return render(request, template, context, caller=caller, status_code=status_code)


def _act(request: Request, caller: Caller, uow: UnitOfWork, agreement_id: int, template: str,
         action: Callable[[], str | None], done: str, typed: dict[str, str] | None = None) -> Response:
    """Run a form's action; on success redirect to the page (its notice carried in the session, so a refresh
    cannot post the form again), on error show it there with what was ``typed`` into the form kept."""
    service.get(uow=uow, agreement_id=agreement_id, by=caller)  # 404 for a stranger, before anything else
    try:
        notice = action()
    except CarepoolError as error:
        uow.rollback()
        return _page(request, caller, uow, agreement_id, template, {"error": error, "typed": typed},
                     _status(error))
    target = f"/pool/{agreement_id}{done}"
    if notice:
        flash(request, notice, to=target)
    return RedirectResponse(target, status_code=303)


def _amount(text: str, field: str) -> Money:
    try:
        return parse_money(text)
    except CarepoolError as error:
        raise CarepoolError(f"{field}: {error.message}") from None


@router.get("/pool")
def agreements(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    found = service.list_agreements(uow=uow, by=caller)
    return render(request, "pooled_budget/list.html",
                  {"agreements": found, "can_create": caller.has(*service.WRITE_ROLES), "error": None},
                  caller=caller)


@router.get("/pool/agreement-template.xlsx")
def agreement_template(caller: CallerDep) -> Response:
    """The blank agreement workbook (as ``carepool pool template`` writes it), for the 'Add an agreement' form."""
    return Response(template_bytes(), media_type=reports.XLSX,
                    headers={"Content-Disposition": 'attachment; filename="pooled-budget-agreement.xlsx"'})


@router.post("/pool")
def create(request: Request, file: UploadFile, caller: CallerDep, uow: UowDep) -> Response:
    try:
        caller.require(*service.WRITE_ROLES)  # before the file is read
        definition = read_upload(file, read_definition, uow=uow)
        created = agreeing.create(uow=uow, by=caller, definition=definition)
    except CarepoolError as error:
        uow.rollback()
        found = service.list_agreements(uow=uow, by=caller)
        return render(request, "pooled_budget/list.html",
                      {"agreements": found, "can_create": caller.has(*service.WRITE_ROLES), "error": error},
                      caller=caller, status_code=_status(error))
    stored = created.stored
    target = f"/pool/{stored.id}"
    said = (f"You proposed {stored.agreement.name} for {caller.organisation_name}. It takes effect when every "
            f"partner has accepted it: waiting for {stored.names(stored.waiting_for)}.")
    flash(request, " ".join([said, *created.notices]), to=target)
    return RedirectResponse(target, status_code=303)


@router.post("/pool/{agreement_id}/accept")
def accept(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    def action() -> str:
        stored = agreeing.decide(uow=uow, by=caller, agreement_id=agreement_id, decision="accept")
        if stored.waiting_for:
            return (f"You accepted the agreement for {caller.organisation_name}; waiting for "
                    f"{stored.names(stored.waiting_for)}.")
        return f"You accepted the agreement for {caller.organisation_name}. Every partner has: it is now active."

    return _act(request, caller, uow, agreement_id, "pooled_budget/overview.html", action, "")


@router.post("/pool/{agreement_id}/decline")
def decline(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep,
            reason: Annotated[str, Form()] = "") -> Response:
    def action() -> str:
        agreeing.decide(uow=uow, by=caller, agreement_id=agreement_id, decision="decline", reason=reason)
        return f"You declined the agreement for {caller.organisation_name}: it will not take effect."

    return _act(request, caller, uow, agreement_id, "pooled_budget/overview.html", action, "")


@router.get("/pool/{agreement_id}")
def overview(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    return _page(request, caller, uow, agreement_id, "pooled_budget/overview.html")


@router.get("/pool/{agreement_id}/monitoring")
def monitoring_page(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    return _page(request, caller, uow, agreement_id, "pooled_budget/monitoring.html")


@router.post("/pool/{agreement_id}/monitoring/entry")
def enter_figure(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep, scheme_id: Form_,
                 month: Form_, source: Form_, actual: Form_, commitments: Annotated[str, Form()] = "") -> Response:
    entry = {"scheme_id": scheme_id, "month": month, "source": source, "actual": actual,
             "commitments": commitments or None}

    def action() -> str:
        return monitoring.record_entries(uow=uow, by=caller, agreement_id=agreement_id, entries=[entry],
                                         what="form").words()

    typed = {"scheme_id": scheme_id, "month": month, "source": source, "actual": actual, "commitments": commitments}
    return _act(request, caller, uow, agreement_id, "pooled_budget/monitoring.html", action, "/monitoring", typed)


@router.post("/pool/{agreement_id}/monitoring/import")
def import_figures(request: Request, agreement_id: RowId, files: list[UploadFile], caller: CallerDep,
                   uow: UowDep) -> Response:
    def action() -> str:
        with saved_uploads(files) as paths:
            summary = monitoring.import_files(uow=uow, by=caller, agreement_id=agreement_id, paths=paths)
        return f"Imported {', '.join(p.name for p in paths)}. " + summary.words()

    return _act(request, caller, uow, agreement_id, "pooled_budget/monitoring.html", action, "/monitoring")


@router.post("/pool/{agreement_id}/monitoring/forecast")
def set_forecast(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep, scheme_id: Form_,
                 amount: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    def action() -> str:
        value = _amount(amount, "forecast outturn") if amount.strip() else None
        return monitoring.set_forecast(uow=uow, by=caller, agreement_id=agreement_id, scheme=scheme_id,
                                       amount=value, note=note)

    typed = {"forecast_scheme": scheme_id, "forecast_amount": amount, "forecast_note": note}
    return _act(request, caller, uow, agreement_id, "pooled_budget/monitoring.html", action, "/monitoring", typed)


@router.get("/pool/{agreement_id}/variations")
def variations_page(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    return _page(request, caller, uow, agreement_id, "pooled_budget/variations.html")


@router.post("/pool/{agreement_id}/variations")
def propose(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep, description: Form_, kind: Form_,
            partner: Form_, scheme: Form_, amount: Form_, to_scheme: Annotated[str, Form()] = "") -> Response:
    def action() -> str:
        if kind not in FORM_KINDS:
            raise CarepoolError(f"kind: expected one of {', '.join(FORM_KINDS)}, got {kind!r}")
        money = _amount(amount, "amount")
        change = (MoveContribution(partner, scheme, to_scheme, money) if kind == "move"
                  else SetContribution(scheme, partner, money))
        done = variations.propose(uow=uow, by=caller, agreement_id=agreement_id, description=description,
                                  changes=[change])
        waiting = service.get(uow=uow, agreement_id=agreement_id, by=caller).names(done.waiting_for)
        return (f"You proposed variation #{done.number}; it changes nothing until every partner approves it "
                f"(waiting for {waiting}).")

    typed = {"description": description, "kind": kind, "partner": partner, "scheme": scheme, "amount": amount,
             "to_scheme": to_scheme}
    return _act(request, caller, uow, agreement_id, "pooled_budget/variations.html", action, "/variations", typed)


@router.post("/pool/{agreement_id}/variations/{number}/{decision}")
def decide(request: Request, agreement_id: RowId, number: RowId, decision: str, caller: CallerDep,
           uow: UowDep) -> Response:
    def action() -> str:
        if decision == "withdraw":
            variations.withdraw(uow=uow, by=caller, agreement_id=agreement_id, number=number)
            return f"You withdrew variation #{number}: it will not take effect."
        done = variations.decide(uow=uow, by=caller, agreement_id=agreement_id, number=number, decision=decision)
        return _decided_words(done, caller, service.get(uow=uow, agreement_id=agreement_id, by=caller))

    return _act(request, caller, uow, agreement_id, "pooled_budget/variations.html", action, "/variations")


def _decided_words(done: variations.Variation, caller: Caller, stored: service.StoredAgreement) -> str:
    """What a decision on a variation did, for the page it returns to."""
    mine = next((d for d in done.decisions if d.partner == caller.organisation_code), None)
    verb = "rejected" if mine is not None and mine.decision == "reject" else "approved"
    said = f"You {verb} variation #{done.number} for {caller.organisation_name}"
    if done.status == variations.APPROVED:
        return f"{said}. Approved by every partner: applied, and the contributions below are the new ones."
    if done.status == variations.REJECTED:
        return f"{said}: it will not take effect."
    return f"{said}; waiting for {stored.names(done.waiting_for)}."


@router.get("/pool/{agreement_id}/settlement")
def settlement_page(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    return _page(request, caller, uow, agreement_id, "pooled_budget/settlement.html")


@router.post("/pool/{agreement_id}/payments")
def record_payment(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep, partner: Form_,
                   amount: Form_, on: Form_, reference: Form_,
                   kind: Annotated[str, Form()] = "contribution") -> Response:
    def action() -> str:
        day = parse_day(on.strip(), what="date")
        value: Money = _amount(amount, "amount")
        paid = payments.record_payment(uow=uow, by=caller, agreement_id=agreement_id, partner=partner,
                                       amount=value, on=day, reference=reference, kind=kind)
        name = service.get(uow=uow, agreement_id=agreement_id, by=caller).agreement.partner_name(paid.partner)
        return paid.words(name)

    return _act(request, caller, uow, agreement_id, "pooled_budget/settlement.html", action, "/settlement")


@router.post("/pool/{agreement_id}/settlement")
def settle(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    def action() -> str:
        done = yearend.settle_year(uow=uow, by=caller, agreement_id=agreement_id)
        return (f"You settled {done.data['agreement']['year']}: each partner's share is posted to the ledger and the "
                "statement below is fixed. Each partner's finance officer now signs it.")

    return _act(request, caller, uow, agreement_id, "pooled_budget/settlement.html", action, "/settlement")


@router.post("/pool/{agreement_id}/settlement/sign")
def sign(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep,
         title: Annotated[str, Form()] = "") -> Response:
    def action() -> str:
        done = signoff.sign_statement(uow=uow, by=caller, agreement_id=agreement_id, title=title)
        return f"You signed the statement for {caller.organisation_name} as {done.title}."

    return _act(request, caller, uow, agreement_id, "pooled_budget/settlement.html", action, "/settlement")


@router.get("/pool/{agreement_id}/history")
def history_page(request: Request, agreement_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    """Every partner's recorded actions on this pool (the audit trail page shows one's own organisation's)."""
    events = service.history(uow=uow, by=caller, agreement_id=agreement_id)
    return _page(request, caller, uow, agreement_id, "pooled_budget/history.html",
                 events_table(uow, events))


@router.get("/pool/{agreement_id}/download/{kind}")
def download(agreement_id: RowId, kind: str, caller: CallerDep, uow: UowDep, partner: str | None = None) -> Response:
    report = reports.build(uow=uow, by=caller, agreement_id=agreement_id, kind=kind, partner=partner)
    return Response(report.content, media_type=report.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{report.filename}"'})


@router.get("/open-data/pooled-budgets.csv")
def public_register(uow: UowDep) -> Response:
    """The pooled budget register entries of every agreement, for anyone (no sign-in)."""
    return Response(reports.public_register_csv(uow=uow), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="pooled-budgets-register.csv"'})
