"""JSON routes under /api/procurement. Every check lives in the services; these only translate."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import PlainTextResponse
from starlette.responses import Response

from carepool.audit.api import AuditEventRead
from carepool.core.errors import CarepoolError
from carepool.jobs.schemas import JobRead
from carepool.partners import service as partners
from carepool.procurement import (
    award_job,
    bid_workbook,
    bidding,
    consortia,
    coverage,
    evaluation,
    io,
    ocds,
    opening,
    publication,
    reports,
    service,
    split_api,
    tendering,
)
from carepool.procurement.award_schemas import AwardSummaryRead, ProviderResultRead
from carepool.procurement.model import quantity
from carepool.procurement.schemas import (
    BidCreate,
    BidListingRead,
    ConsortiumCreate,
    ConsortiumRead,
    InvitationCreate,
    LotMerge,
    LotRead,
    LotSplit,
    MyBidRead,
    OpeningRead,
    OverrideRequest,
    PanelScore,
    Reason,
    ReceiptRead,
    TenderCreate,
    TenderRead,
    TenderUpdate,
    ThresholdUpdate,
)
from carepool.web.deps import CallerDep, RowId, UowDep
from carepool.web.uploads import read_upload, upload_name

router = APIRouter(prefix="/api/procurement", tags=["procurement"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/consortia")
def list_consortia(caller: CallerDep, uow: UowDep) -> list[ConsortiumRead]:
    return [ConsortiumRead.of(c) for c in consortia.list_consortia(uow=uow, caller=caller)]


@router.post("/consortia", status_code=201)
def create_consortium(body: ConsortiumCreate, caller: CallerDep, uow: UowDep) -> ConsortiumRead:
    return ConsortiumRead.of(consortia.create_consortium(uow=uow, caller=caller, name=body.name, members=body.members))


@router.get("/consortia/invitations")
def list_invitations(caller: CallerDep, uow: UowDep) -> list[ConsortiumRead]:
    """Consortia that have invited the caller's organisation; it is a member only once it accepts."""
    return [ConsortiumRead.of(c) for c in consortia.invitations(uow=uow, caller=caller)]


@router.post("/consortia/{consortium_id}/accept")
def accept_invitation(consortium_id: RowId, caller: CallerDep, uow: UowDep) -> ConsortiumRead:
    return ConsortiumRead.of(consortia.accept(uow=uow, caller=caller, consortium_id=consortium_id))


@router.post("/consortia/{consortium_id}/decline", status_code=204)
def decline_invitation(consortium_id: RowId, caller: CallerDep, uow: UowDep) -> None:
    consortia.decline(uow=uow, caller=caller, consortium_id=consortium_id)


@router.post("/consortia/{consortium_id}/invitations", status_code=201)
def invite(consortium_id: RowId, body: InvitationCreate, caller: CallerDep, uow: UowDep) -> ConsortiumRead:
    """The lead invites more members; each joins once one of its own users accepts."""
    return ConsortiumRead.of(consortia.invite(uow=uow, caller=caller, consortium_id=consortium_id,
                                              members=body.members))


@router.delete("/consortia/{consortium_id}/invitations/{member}")
def withdraw_invitation(consortium_id: RowId, member: str, caller: CallerDep, uow: UowDep) -> ConsortiumRead:
    return ConsortiumRead.of(consortia.withdraw(uow=uow, caller=caller, consortium_id=consortium_id,
                                                member=member))


@router.get("/consortia/{consortium_id}/history")
def consortium_history(consortium_id: RowId, caller: CallerDep, uow: UowDep) -> list[AuditEventRead]:
    """What every member did to the consortium (invitations, joins, demand, lots), newest first (members only)."""
    return [AuditEventRead.model_validate(e, from_attributes=True)
            for e in consortia.history(uow=uow, caller=caller, consortium_id=consortium_id)]


@router.get("/consortia/{consortium_id}")
def get_consortium(consortium_id: RowId, caller: CallerDep, uow: UowDep) -> ConsortiumRead:
    return ConsortiumRead.of(consortia.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id))


@router.put("/consortia/{consortium_id}/sme-threshold")
def set_threshold(consortium_id: RowId, body: ThresholdUpdate, caller: CallerDep, uow: UowDep) -> ConsortiumRead:
    hours = None if body.hours in (None, "") else quantity(body.hours, what="hours")
    service.set_sme_threshold(uow=uow, caller=caller, consortium_id=consortium_id, hours=hours)
    return ConsortiumRead.of(consortia.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id))


@router.post("/consortia/{consortium_id}/demand")
def import_demand(consortium_id: RowId, file: UploadFile, caller: CallerDep, uow: UowDep,
                  replace_all: bool = False) -> dict[str, object]:
    """Replace the demand of the members in an Excel or CSV file (member_code, service, locality_code,
    hours_per_week, baseline_price): all or nothing, every problem named by sheet, row and column. Members not
    in the file keep their demand, unless ``replace_all`` (then they have none)."""
    service.demand_writer(uow=uow, caller=caller, consortium_id=consortium_id)  # before the file is read
    demand = read_upload(file, io.read_demand, uow=uow)
    saved = service.save_demand(uow=uow, caller=caller, consortium_id=consortium_id, lines=demand.lines,
                                problems=demand.problems, incomplete=demand.incomplete, what=upload_name(file),
                                replace_all=replace_all)
    return {"lines": saved.lines, "members": list(saved.members), "replaced": saved.replaced, "kept": saved.kept,
            "changed": saved.changed, "in_live_tenders": coverage.live_tenders_buying(uow, consortium_id, saved.places)}


@router.get("/consortia/{consortium_id}/demand.xlsx")
def export_demand(consortium_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    lines = service.list_demand(uow=uow, caller=caller, consortium_id=consortium_id)
    names = _names(uow)
    with tempfile.TemporaryDirectory() as folder:  # nothing is left on disk once it is read
        content = io.write_demand(Path(folder) / "demand.xlsx", lines, names).read_bytes()
    return Response(content, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="demand.xlsx"'})


@router.get("/consortia/{consortium_id}/lots")
def list_lots(consortium_id: RowId, caller: CallerDep, uow: UowDep) -> list[LotRead]:
    return [LotRead.of(s) for s in service.list_lots(uow=uow, caller=caller, consortium_id=consortium_id)]


@router.post("/consortia/{consortium_id}/lots")
def build_lots(consortium_id: RowId, caller: CallerDep, uow: UowDep, split_big: bool = False) -> list[LotRead]:
    """Rebuild the lot plan from demand: one lot per service and locality (big ones split if asked)."""
    lots = service.build_lots(uow=uow, caller=caller, consortium_id=consortium_id, split_big=split_big)
    return [LotRead.of(s) for s in lots]


@router.post("/lots/{lot_id}/split")
def split_lot(lot_id: RowId, body: LotSplit, caller: CallerDep, uow: UowDep) -> list[LotRead]:
    return [LotRead.of(s) for s in service.split_lot(uow=uow, caller=caller, lot_id=lot_id, parts=body.parts)]


@router.post("/lots/merge")
def merge_lots(body: LotMerge, caller: CallerDep, uow: UowDep) -> list[LotRead]:
    return [LotRead.of(s) for s in service.merge_lots(uow=uow, caller=caller, lot_ids=body.lot_ids, name=body.name)]


@router.get("/tenders")
def list_tenders(caller: CallerDep, uow: UowDep) -> list[TenderRead]:
    return [TenderRead.of(t) for t in tendering.list_tenders(uow=uow, caller=caller)]


@router.post("/tenders", status_code=201)
def create_tender(body: TenderCreate, caller: CallerDep, uow: UowDep) -> TenderRead:
    return TenderRead.of(tendering.create_tender(
        uow=uow, caller=caller, consortium_id=body.consortium_id, title=body.title, description=body.description,
        lot_ids=body.lot_ids, rules=body.rules, deadline=body.deadline, contract_start=body.contract_start))


@router.get("/tenders/{ref}")
def get_tender(ref: str, caller: CallerDep, uow: UowDep) -> TenderRead:
    return TenderRead.of(tendering.get_tender(uow=uow, caller=caller, ref=ref))


@router.patch("/tenders/{ref}")
def update_tender(ref: str, body: TenderUpdate, caller: CallerDep, uow: UowDep) -> TenderRead:
    """Edit a tender, its lots included (``add_lots``/``remove_lots`` by code); only the rules given change.
    After publication a real change invalidates submitted bids and may move the deadline; an edit that changes
    nothing answers ``changed: false``."""
    return TenderRead.of(tendering.update_tender(uow=uow, caller=caller, ref=ref, title=body.title,
                                                 description=body.description, rules=body.rules,
                                                 deadline=body.deadline, add_lots=body.add_lots,
                                                 remove_lots=body.remove_lots, based_on=body.based_on,
                                                 contract_start=body.contract_start,
                                                 clear_contract_start="contract_start" in body.model_fields_set
                                                 and body.contract_start is None))


@router.post("/tenders/{ref}/publish")
def publish(ref: str, caller: CallerDep, uow: UowDep) -> TenderRead:
    return TenderRead.of(tendering.publish(uow=uow, caller=caller, ref=ref))


@router.post("/tenders/{ref}/cancel")
def cancel(ref: str, body: Reason, caller: CallerDep, uow: UowDep) -> TenderRead:
    return TenderRead.of(tendering.cancel(uow=uow, caller=caller, ref=ref, reason=body.reason))


@router.post("/tenders/{ref}/bids", status_code=201)
def submit_bid(ref: str, body: BidCreate, caller: CallerDep, uow: UowDep) -> ReceiptRead:
    """Submit a sealed bid on one lot (providers). Keep the receipt: its SHA-256 is checked at opening."""
    return ReceiptRead.of(bidding.submit_bid(uow=uow, caller=caller, ref=ref, lot_code=body.lot,
                                             content=body.content()))


@router.post("/tenders/{ref}/bids/workbook", status_code=201)
def submit_bid_workbook(ref: str, file: UploadFile, caller: CallerDep, uow: UowDep) -> list[ReceiptRead]:
    """Bids on many lots from the tender's bid workbook (providers): every row is checked first (422 with each
    problem's sheet, row and column), then all are sealed, each with its receipt, or none is."""
    lots = bidding.check_taking_bids(uow=uow, caller=caller, ref=ref)  # before the file is read
    bids = read_upload(file, partial(bid_workbook.read_clean, tender=lots), uow=uow)
    return [ReceiptRead.of(r) for r in bidding.submit_bids(uow=uow, caller=caller, ref=ref, bids=bids)]


@router.get("/tenders/{ref}/bids")
def list_bids(ref: str, caller: CallerDep, uow: UowDep) -> BidListingRead:
    """The consortium's view of the bids: only how many there are until they are opened."""
    return BidListingRead.of(reports.bid_listing(uow=uow, caller=caller, ref=ref))


@router.get("/tenders/{ref}/history")
def tender_history(ref: str, caller: CallerDep, uow: UowDep) -> list[AuditEventRead]:
    """What every member of the consortium did to the tender, its consortium and its opened bids, newest first
    (members only)."""
    return [AuditEventRead.model_validate(e, from_attributes=True)
            for e in reports.tender_history(uow=uow, caller=caller, ref=ref)]


@router.get("/my/bids")
def my_bids(caller: CallerDep, uow: UowDep, tender: str | None = None) -> list[MyBidRead]:
    """Your organisation's own bids and receipts (providers)."""
    return [MyBidRead.of(b) for b in bidding.my_bids(uow=uow, caller=caller, ref=tender)]


@router.get("/my/bids/{bid_ref}/receipt")
def my_receipt(bid_ref: str, caller: CallerDep, uow: UowDep) -> ReceiptRead:
    """The receipt of one of your own bids, by its reference (B-7K3M9Q2XDA); anyone else's is not found."""
    return ReceiptRead.of(bidding.receipt(uow=uow, caller=caller, bid_ref=bid_ref))


@router.get("/my/bids/{bid_ref}/sealed", response_class=PlainTextResponse)
def my_sealed_bid(bid_ref: str, caller: CallerDep, uow: UowDep) -> PlainTextResponse:
    """Your own bid exactly as sealed: its SHA-256 is the receipt's (check it yourself)."""
    return PlainTextResponse(bidding.sealed_copy(uow=uow, caller=caller, bid_ref=bid_ref).sealed_text,
                             media_type="application/json")


@router.post("/tenders/{ref}/open")
def open_bids(ref: str, caller: CallerDep, uow: UowDep) -> OpeningRead:
    """Open the bids after the deadline: every bid's hash is checked against its receipt (audited)."""
    return OpeningRead.of(opening.open_bids(uow=uow, caller=caller, ref=ref))


@router.post("/tenders/{ref}/bids/{bid_ref}/panel-score")
def panel_score(ref: str, bid_ref: str, body: PanelScore, caller: CallerDep, uow: UowDep) -> dict[str, str]:
    opening.set_panel_score(uow=uow, caller=caller, ref=ref, bid_ref=bid_ref, score=str(body.score),
                            note=body.note)  # read as a score there, after the bid is found in this tender
    return {"status": "recorded"}


@router.post("/tenders/{ref}/award/job", status_code=202)
def start_award(ref: str, request: Request, caller: CallerDep, uow: UowDep) -> JobRead:
    """Run the award in the background, as the tender's page does (202; then GET this path until it has ended);
    ``POST .../evaluate`` runs it while the request waits."""
    job = award_job.start_in_background(uow=uow, runner=request.app.state.job_runner, caller=caller, ref=ref)
    return JobRead.of(job, job.started_at)


@router.get("/tenders/{ref}/award/job")
def award_run(ref: str, caller: CallerDep, uow: UowDep) -> JobRead:
    """How the latest award run started from the tender's page stands (the page polls it; members only)."""
    return JobRead.found(award_job.award_job(uow=uow, caller=caller, ref=ref), uow.now(),
                      missing=f"the award of tender {ref.strip().upper()} has not been run from its page")


@router.post("/tenders/{ref}/evaluate")
def evaluate(ref: str, caller: CallerDep, uow: UowDep) -> AwardSummaryRead:
    evaluation.evaluate(uow=uow, caller=caller, ref=ref)
    return _summary(uow, caller, ref)


@router.post("/tenders/{ref}/override")
def override(ref: str, body: OverrideRequest, caller: CallerDep, uow: UowDep) -> AwardSummaryRead:
    allocations = [evaluation.Allocation(a.bid_ref, quantity(a.weekly_quantity, zero_ok=True))
                   for a in body.allocations]
    evaluation.override(uow=uow, caller=caller, ref=ref, allocations=allocations, reason=body.reason)
    return _summary(uow, caller, ref)


@router.post("/tenders/{ref}/confirm")
def confirm(ref: str, caller: CallerDep, uow: UowDep) -> TenderRead:
    evaluation.confirm(uow=uow, caller=caller, ref=ref)
    return TenderRead.of(tendering.get_tender(uow=uow, caller=caller, ref=ref))


@router.post("/tenders/{ref}/contracts")
def make_contracts(ref: str, caller: CallerDep, uow: UowDep) -> dict[str, int]:
    return {"contracts": evaluation.make_contracts(uow=uow, caller=caller, ref=ref)}


@router.get("/tenders/{ref}/award")
def award_summary(ref: str, caller: CallerDep, uow: UowDep) -> AwardSummaryRead:
    """The evaluated award with cheapest-wins, rule costs, market health and savings (consortium members)."""
    return _summary(uow, caller, ref)


@router.get("/tenders/{ref}/result")
def my_result(ref: str, caller: CallerDep, uow: UowDep) -> ProviderResultRead:
    """Your own bids on a tender and, once the award is confirmed, your result (providers)."""
    return ProviderResultRead.of(reports.my_result(uow=uow, caller=caller, ref=ref))


@router.get("/tenders/{ref}/ocds")
def ocds_release_package(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    """OCDS 1.1 release package (with the lots extension) of a published tender."""
    release, _ = publication.packages(uow=uow, ref=ref, caller=caller, publisher=request.app.state.settings)
    return Response(ocds.dumps(release), media_type="application/json")


@router.get("/tenders/{ref}/ocds/record")
def ocds_record_package(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    _, record = publication.packages(uow=uow, ref=ref, caller=caller, publisher=request.app.state.settings)
    return Response(ocds.dumps(record), media_type="application/json")


def _summary(uow: UowDep, caller: CallerDep, ref: str) -> AwardSummaryRead:
    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    if summary is None:
        raise CarepoolError(f"tender {ref} has not been evaluated yet", kind="conflict")
    return AwardSummaryRead.of(summary)


def _names(uow: UowDep) -> dict[str, str]:
    names = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    names.update({loc.code: loc.name for loc in partners.list_localities(uow=uow)})
    return names


router.include_router(split_api.router)
