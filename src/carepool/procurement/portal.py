"""The provider portal: open tenders, submit a sealed bid, my bids and receipts, my result."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from carepool.core.errors import CarepoolError, Problem
from carepool.core.money import Money
from carepool.partners.model import Caller, Role
from carepool.procurement import bid_workbook, bidding, reports, tendering
from carepool.procurement.model import BidContent, Receipt, TenderStatus, quantity, score
from carepool.web.deps import CallerDep, UowDep
from carepool.web.flash import attempt, flash, keep_typed, take_flash, typed_back
from carepool.web.rendering import render
from carepool.web.uploads import read_upload

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEALED_AT = "receipts_sealed_at"  # session key: when the bids whose receipts the tender page shows were sealed


def _receipts_shown(uow: Any, caller: Caller, request: Request, ref: str) -> list[bidding.MyBid]:
    """The bids just sealed, with their receipts. The session carries only the server time they were sealed at
    (the bids of one submission share it): a bid on many lots cannot outgrow the session cookie (a browser
    drops one over 4 KB, and the receipts with it), and no bid is named in a cookie."""
    sealed_at = request.session.pop(SEALED_AT, None)
    if not sealed_at or not caller.has(Role.PROVIDER):
        return []
    when = datetime.fromisoformat(sealed_at)
    return [bid for bid in bidding.my_bids(uow=uow, caller=caller, ref=ref) if bid.receipt.submitted_at == when]


def _sealed_words(receipts: list[Receipt]) -> tuple[str, str]:
    """What sealing says, and how: a warning when a figure looks like a slip."""
    said = (f"Bid sealed on lot {receipts[0].lot}. Keep your receipt." if len(receipts) == 1
            else f"{len(receipts)} bids sealed. Keep your receipts.")
    warnings = [w for r in receipts for w in r.warnings]
    if warnings:
        said += ("\nSealed as typed, but check: bid again on the lot before the deadline if it is a slip (your "
                 "latest bid counts).\n" + "\n".join(f"  {w}" for w in warnings))
        return said, "warning"
    return said, "notice"


@router.get("/tenders/my-bids/{bid_ref}/{name}")
def my_sealed_bid(bid_ref: str, name: str, caller: CallerDep, uow: UowDep) -> Response:
    """The provider's own bid as sealed (bid-B-…-sealed.json, the exact bytes hashed) or its receipt
    (bid-B-…-receipt.txt); the bid is named by its reference, and anyone else's is not found."""
    copy = bidding.sealed_copy(uow=uow, caller=caller, bid_ref=bid_ref)
    reference = copy.bid.reference
    if name == bidding.sealed_name(reference):
        body, media = copy.sealed_text, "application/json"
    elif name == bidding.receipt_name(reference):
        body, media = copy.receipt_text(), "text/plain; charset=utf-8"
    else:
        raise CarepoolError(f"no such download for bid {reference}: {name}", kind="not_found")
    return Response(body.encode("utf-8"), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/tenders/my-bids")
def my_bids(request: Request, caller: CallerDep, uow: UowDep) -> Response:
    caller.require(Role.PROVIDER)
    bids = bidding.my_bids(uow=uow, caller=caller)
    return render(request, "procurement/my_bids.html", {"bids": bids, "flash": take_flash(request)},
                  caller=caller)


def tender_for_provider(request: Request, tender: tendering.TenderView, caller: Caller, uow: Any,
                        context: dict[str, Any]) -> Response:
    """A published tender as a provider (or any non-member) sees it: no one else's bids, ever."""
    is_provider = caller.has(Role.PROVIDER)
    result = reports.my_result(uow=uow, caller=caller, ref=tender.ref) if is_provider else None
    taking_bids = tender.status is TenderStatus.PUBLISHED and not tender.deadline_passed
    context.update({"result": result, "is_provider": is_provider, "taking_bids": is_provider and taking_bids,
                    "receipts": _receipts_shown(uow, caller, request, tender.ref),
                    "typed": typed_back(request, "bid") or {}})
    return render(request, "procurement/tender_provider.html", context, caller=caller)


def bid_from_form(*, lot: str, price: str, quality: str, max_quantity: str, capacity: str) -> BidContent:
    """The bid typed into the tender page's form, or one error naming every field's problem at once."""
    problems: list[str] = []

    def read(reading: Callable[[], T]) -> T | None:
        try:
            return reading()
        except CarepoolError as error:
            problems.append(error.message)
            return None

    if not lot.strip():
        problems.append("lot: choose the lot you bid for")
    money = read(lambda: Money.parse(price, what="price per hour")) if price.strip() else None
    if not price.strip():
        problems.append("price per hour: give your price for an hour of care, e.g. 21.40")
    elif money is not None and money.pence <= 0:
        problems.append(f"price per hour: must be above zero, got {money}")
    quality_score = read(lambda: score(quality, what="quality score")) if quality.strip() else None
    if not quality.strip():
        problems.append("quality score: give your method statement score, from 0 to 100")
    most = read(lambda: quantity(max_quantity, what="most hours a week on this lot")) if max_quantity.strip() else None
    across = read(lambda: quantity(capacity, what="capacity")) if capacity.strip() else None
    if problems:
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise CarepoolError.from_problems(f"the bid was not sealed ({count}):", [Problem(p) for p in problems])
    assert money is not None and quality_score is not None  # each read, or a problem above
    return BidContent(money, quality_score, most, across)


@router.post("/tenders/{ref}/bid")
def submit(request: Request, ref: str, caller: CallerDep, uow: UowDep, lot: Annotated[str, Form()] = "",
           price: Annotated[str, Form()] = "", quality: Annotated[str, Form()] = "",
           max_quantity: Annotated[str, Form()] = "", capacity: Annotated[str, Form()] = "") -> Response:
    """Seal one bid. Every field may come empty (a browser's own checks bypassed): a refusal is said on the tender's
    page, naming every field's problem, with what was typed kept (the bidder's own, in its own session cookie), so
    a bidder putting it right does not bid on the first lot in the list by mistake."""
    typed = {"lot": lot[:40], "price": price[:20], "quality": quality[:20], "max_quantity": max_quantity[:20],
             "capacity": capacity[:20]}
    receipts: list[Receipt] = []

    def seal() -> tuple[str, str]:
        content = bid_from_form(lot=lot, price=price, quality=quality, max_quantity=max_quantity, capacity=capacity)
        receipts.append(bidding.submit_bid(uow=uow, caller=caller, ref=ref, lot_code=lot, content=content))
        return _sealed_words(receipts)

    response = attempt(request, seal, "", f"/tenders/{ref}", keep=("bid", typed))
    if receipts:
        request.session[SEALED_AT] = receipts[0].submitted_at.isoformat()
        if receipts[0].warnings:  # sealed, but it may be a slip: the form keeps the lot and figures, to put right
            keep_typed(request, "bid", typed)
    return response


@router.get("/tenders/{ref}/bid-workbook")
def bid_workbook_template(ref: str, caller: CallerDep, uow: UowDep) -> Response:
    """The tender's lots in a workbook for a provider to fill in a price on each lot it bids for."""
    caller.require(Role.PROVIDER)
    tender = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    lots = [(s.lot.code, s.lot.name, s.lot.weekly_quantity) for s in tender.lots]
    with tempfile.TemporaryDirectory() as folder:
        path = bid_workbook.write_template(Path(folder) / f"{tender.ref}-bids.xlsx", tender.ref, lots)
        content = path.read_bytes()
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{tender.ref}-bids.xlsx"'})


@router.post("/tenders/{ref}/bid-workbook")
def upload_bid_workbook(request: Request, ref: str, caller: CallerDep, uow: UowDep,
                        file: UploadFile | None = None) -> Response:
    """Seal every bid of a workbook; sent without a file (a browser's own check bypassed), it says so on the
    tender's page, as any other refusal."""
    try:
        lots = bidding.check_taking_bids(uow=uow, caller=caller, ref=ref)  # before the file is read
        if file is None:
            raise CarepoolError("no file was chosen: choose a file to upload")
        bids, problems = read_upload(file, partial(bid_workbook.read_bids, tender=lots), uow=uow)
        if problems:  # every one at once, the lots the tender lacks among them
            raise CarepoolError(bid_workbook.refusal(problems))
        receipts = bidding.submit_bids(uow=uow, caller=caller, ref=ref, bids=bids)
    except CarepoolError as error:
        flash(request, str(error), "error", to=f"/tenders/{ref}")
        return RedirectResponse(f"/tenders/{ref}", status_code=303)
    request.session[SEALED_AT] = receipts[0].submitted_at.isoformat()  # one time for all (never none)
    flash(request, *_sealed_words(receipts), to=f"/tenders/{ref}")
    return RedirectResponse(f"/tenders/{ref}", status_code=303)
