"""JSON routes under /api/pool. A partner sees only agreements it belongs to; any other answers 404.

Agreements and variations are read from the raw request body with the same strict
JSON reader as the files (decimals exact, repeated keys refused), so money and
shares never pass through floating point.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile
from starlette.responses import Response

from carepool.core.errors import CarepoolError
from carepool.core.jsonfile import parse_json
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller
from carepool.pooled_budget import agreeing, monitoring, payments, reports, service, signoff, variations, yearend
from carepool.pooled_budget.changes import changes_from_json
from carepool.pooled_budget.definition import definition_from_json
from carepool.pooled_budget.monthly_io import AS_AT_HELP, as_at_month
from carepool.pooled_budget.schemas import (
    ActualsCreate,
    AgreementDecisionCreate,
    AgreementRead,
    AgreementSummaryRead,
    ForecastUpdate,
    MonitoringRead,
    PaymentCreate,
    PaymentRead,
    RecordSummaryRead,
    SignOffCreate,
    SignOffRead,
    StatementRead,
    VariationCreate,
    VariationRead,
    money_in,
)
from carepool.web.deps import CallerDep, RowId, UowDep
from carepool.web.uploads import saved_uploads

router = APIRouter(prefix="/api/pool", tags=["pooled budgets"])
AsAt = Annotated[str | None, Query(description=AS_AT_HELP, examples=["2025-09", "6"])]


def _as_at(uow: UnitOfWork, caller: Caller, agreement_id: int, value: str | None) -> int | None:
    """The month number (1 = April) of an ``as_at`` query value, read in the agreement's year."""
    if value is None:
        return None
    return as_at_month(value, service.get(uow=uow, agreement_id=agreement_id, by=caller).agreement.year)


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_AGREEMENT_BODY = {"type": "object", "description": "the `carepool pool settle` JSON contract; each scheme may "
                   "add `client_group`, and `actual` may be left out (spend comes from monthly monitoring)"}


@router.get("/agreements")
def list_agreements(caller: CallerDep, uow: UowDep) -> list[AgreementSummaryRead]:
    """The agreements the caller's organisation is a partner of."""
    return [AgreementSummaryRead.of(s) for s in service.list_agreements(uow=uow, by=caller)]


@router.post("/agreements", status_code=201, openapi_extra=_json_body(_AGREEMENT_BODY))
async def create_agreement(request: Request, caller: CallerDep, uow: UowDep) -> AgreementRead:
    """Propose an agreement (your organisation accepts it by proposing it). It stays ``proposed`` — seen by its
    partners only, no accounts, no postings, not on the register — until every other partner has accepted it.
    Partners are named as in the partner directory (``notices`` says when the request named one otherwise)."""
    definition = definition_from_json(parse_json(await request.body()))
    created = agreeing.create(uow=uow, by=caller, definition=definition)
    return AgreementRead.of(created.stored, created.notices)


@router.post("/agreements/{agreement_id}/accept")
def accept_agreement(agreement_id: RowId, caller: CallerDep, uow: UowDep) -> AgreementRead:
    """Accept a proposed agreement for your organisation (commissioner or finance); the last partner's acceptance
    makes it active: its ledger accounts are opened and each partner's contribution is posted as due."""
    return AgreementRead.of(agreeing.decide(uow=uow, by=caller, agreement_id=agreement_id, decision="accept"))


@router.post("/agreements/{agreement_id}/decline")
def decline_agreement(agreement_id: RowId, body: AgreementDecisionCreate, caller: CallerDep,
                      uow: UowDep) -> AgreementRead:
    """Decline a proposed agreement for your organisation, saying why: it never takes effect."""
    return AgreementRead.of(agreeing.decide(uow=uow, by=caller, agreement_id=agreement_id, decision="decline",
                                            reason=body.reason))


@router.get("/agreements/{agreement_id}")
def get_agreement(agreement_id: RowId, caller: CallerDep, uow: UowDep) -> AgreementRead:
    return AgreementRead.of(service.get(uow=uow, agreement_id=agreement_id, by=caller))


@router.get("/agreements/{agreement_id}/monitoring")
def get_monitoring(agreement_id: RowId, caller: CallerDep, uow: UowDep, as_at: AsAt = None) -> MonitoringRead:
    """Budget, actual to date, commitments and forecast outturn per scheme; each partner's forecast share. In
    ``monthly`` a month with no figure is null (a recorded £0.00 is "0.00")."""
    month = _as_at(uow, caller, agreement_id, as_at)
    return MonitoringRead.of(monitoring.monitor(uow=uow, by=caller, agreement_id=agreement_id, as_at=month))


@router.post("/agreements/{agreement_id}/actuals")
def post_actuals(agreement_id: RowId, body: ActualsCreate, caller: CallerDep, uow: UowDep) -> RecordSummaryRead:
    """Record monthly figures; all or nothing, re-sending the same figures changes nothing."""
    summary = monitoring.record_entries(uow=uow, by=caller, agreement_id=agreement_id, entries=body.entries(),
                                        what="request")
    return RecordSummaryRead.of(summary)


@router.post("/agreements/{agreement_id}/actuals/import")
def import_actuals(agreement_id: RowId, files: list[UploadFile], caller: CallerDep, uow: UowDep) -> RecordSummaryRead:
    """Import ledger exports (CSV or Excel) in one go; one bad row anywhere and nothing is imported."""
    service.get(uow=uow, agreement_id=agreement_id, by=caller)  # 404 before reading anything
    with saved_uploads(files) as paths:
        summary = monitoring.import_files(uow=uow, by=caller, agreement_id=agreement_id, paths=paths)
    return RecordSummaryRead.of(summary)


@router.put("/agreements/{agreement_id}/schemes/{scheme_id}/forecast")
def put_forecast(agreement_id: RowId, scheme_id: str, body: ForecastUpdate, caller: CallerDep,
                 uow: UowDep) -> MonitoringRead:
    """Set (or clear with null) a scheme's manual forecast outturn."""
    amount = None if body.amount is None else money_in(body.amount, "amount")
    monitoring.set_forecast(uow=uow, by=caller, agreement_id=agreement_id, scheme=scheme_id, amount=amount,
                            note=body.note)
    return MonitoringRead.of(monitoring.monitor(uow=uow, by=caller, agreement_id=agreement_id))


@router.get("/agreements/{agreement_id}/payments")
def list_payments(agreement_id: RowId, caller: CallerDep, uow: UowDep) -> list[PaymentRead]:
    stored = service.get(uow=uow, agreement_id=agreement_id, by=caller)
    return [PaymentRead.of(p) for p in payments.list_payments(uow=uow, stored=stored)]


@router.post("/agreements/{agreement_id}/payments", status_code=201)
def post_payment(agreement_id: RowId, body: PaymentCreate, caller: CallerDep, uow: UowDep) -> PaymentRead:
    """Record a payment into the pool bank (host only); the same reference twice is one payment."""
    payment = payments.record_payment(uow=uow, by=caller, agreement_id=agreement_id, partner=body.partner,
                                     amount=money_in(body.amount, "amount"), on=body.on, reference=body.reference,
                                     kind=body.kind)
    name = service.get(uow=uow, agreement_id=agreement_id, by=caller).agreement.partner_name(payment.partner)
    return PaymentRead.of(payment, name)


@router.get("/agreements/{agreement_id}/variations")
def list_variations(agreement_id: RowId, caller: CallerDep, uow: UowDep) -> list[VariationRead]:
    stored = service.get(uow=uow, agreement_id=agreement_id, by=caller)
    return [VariationRead.of(v) for v in variations.list_variations(uow=uow, stored=stored)]


@router.post("/agreements/{agreement_id}/variations", status_code=201,
             openapi_extra=_json_body(VariationCreate.model_json_schema()))
async def propose_variation(agreement_id: RowId, request: Request, caller: CallerDep, uow: UowDep) -> VariationRead:
    """Propose a change to contributions or rules; it takes effect when every partner has approved it."""
    service.get(uow=uow, agreement_id=agreement_id, by=caller)
    data = parse_json(await request.body())
    if not isinstance(data, dict) or set(data) - {"description", "changes"} or "changes" not in data:
        raise CarepoolError('expected {"description": "...", "changes": [...]}')
    variation = variations.propose(uow=uow, by=caller, agreement_id=agreement_id,
                                   description=str(data.get("description") or ""),
                                   changes=changes_from_json(data["changes"]))
    return VariationRead.of(variation)


@router.post("/agreements/{agreement_id}/variations/{number}/{decision}")
def decide_variation(agreement_id: RowId, number: RowId, decision: str, caller: CallerDep,
                     uow: UowDep) -> VariationRead:
    """``approve`` or ``reject`` for the caller's organisation, or ``withdraw`` (the proposer)."""
    if decision == "withdraw":
        return VariationRead.of(variations.withdraw(uow=uow, by=caller, agreement_id=agreement_id, number=number))
    return VariationRead.of(variations.decide(uow=uow, by=caller, agreement_id=agreement_id, number=number,
                                              decision=decision))


@router.get("/agreements/{agreement_id}/settlement")
def get_settlement(agreement_id: RowId, caller: CallerDep, uow: UowDep) -> StatementRead:
    return StatementRead.of(yearend.get_statement(uow=uow, by=caller, agreement_id=agreement_id))


@router.post("/agreements/{agreement_id}/settlement")
def settle_year(agreement_id: RowId, caller: CallerDep, uow: UowDep) -> StatementRead:
    """Settle the year (host, once every month to March is in): post each partner's share and store the statement."""
    return StatementRead.of(yearend.settle_year(uow=uow, by=caller, agreement_id=agreement_id))


@router.post("/agreements/{agreement_id}/settlement/sign-offs", status_code=201)
def sign_statement(agreement_id: RowId, body: SignOffCreate, caller: CallerDep, uow: UowDep) -> SignOffRead:
    """Sign the settled year's statement for your own organisation (a partner's finance officer or admin, once)."""
    return SignOffRead.of(signoff.sign_statement(uow=uow, by=caller, agreement_id=agreement_id, title=body.title))


@router.get("/agreements/{agreement_id}/reports/{kind}", response_class=Response,
            responses={200: {"content": {reports.XLSX: {}, "text/csv": {}, "application/json": {},
                                         "text/plain": {}}}})
def get_report(agreement_id: RowId, kind: str, caller: CallerDep, uow: UowDep, as_at: AsAt = None,
               partner: str | None = None) -> Response:
    """monitoring (xlsx), position (xlsx, one ``partner``'s), bcf-return (xlsx), register (csv), settlement (json),
    statement (xlsx), ledger (Beancount), or the ledger's postings as ledger-csv or ledger-xlsx (date, description,
    account, partner, scheme, amount: + debit, − credit; totalling £0.00)."""
    month = _as_at(uow, caller, agreement_id, as_at)
    report = reports.build(uow=uow, by=caller, agreement_id=agreement_id, kind=kind, as_at=month, partner=partner)
    return Response(report.content, media_type=report.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{report.filename}"'})
