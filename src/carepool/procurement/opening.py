"""Opening sealed bids after the deadline: an audited step that checks every bid against its receipt.

This is the only place that reads the sealed envelopes of other organisations' bids.
A bid whose envelope no longer hashes to its receipt, or whose envelope names another
tender, lot, provider or tender version than the bid, is marked tampered, excluded from
evaluation, and reported in the audit trail.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, forbidden, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller, Role
from carepool.procurement import sealing, tendering
from carepool.procurement.access import tender_for
from carepool.procurement.model import (
    BidStatus,
    Opening,
    TenderStatus,
    cents,
    check_bid_move,
    check_move,
    from_cents,
)
from carepool.procurement.model import score as quality_score
from carepool.procurement.tables import BidRow, LotRow, SealedBidRow, TenderRow


def _problem(bid: BidRow, lot_code: str, tender_ref: str, text: str | None) -> str | None:
    """Why this bid cannot be trusted, or None when its envelope matches its receipt."""
    if text is None:
        return "its sealed envelope is missing"
    if not sealing.matches(text, bid.receipt_sha256):
        return "its contents do not match the SHA-256 on its receipt"
    try:
        envelope = sealing.unseal(text)
    except CarepoolError as error:
        return str(error)
    expected = (tender_ref, bid.tender_version, lot_code, bid.provider_code)
    if (envelope.tender, envelope.tender_version, envelope.lot, envelope.provider) != expected:
        return "its envelope names a different tender, version, lot or provider"
    return None


def _tender_to_open(uow: UnitOfWork, caller: Caller, ref: str) -> TenderRow:
    """The tender, locked, if the caller is on the procurement team of its consortium. Anyone signed in reads a
    published tender, so an outsider (a bidder, another council) is told why it may not open the bids (403) rather
    than that the tender is not there; a tender it cannot read (a draft) stays not found."""
    row, member = tender_for(uow, caller, ref)
    if not member:
        bidder = "; bidders see their own bids now and their result once the award is confirmed"
        raise forbidden(f"only the procurement team of the consortium buying under tender {row.ref} opens its bids, "
                        f"after the deadline{bidder if caller.has(Role.PROVIDER) else ''}")
    uow.session.expire(row)  # read again under the lock, not as it was before it
    tender, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    return tender


def open_bids(*, uow: UnitOfWork, caller: Caller, ref: str) -> Opening:
    """Open every live bid of a tender whose deadline has passed; check each against its receipt."""
    tender = _tender_to_open(uow, caller, ref)
    now = uow.now()
    deadline = tender.deadline
    if TenderStatus(tender.status) is TenderStatus.PUBLISHED and (deadline is None or now < deadline):  # type: ignore[operator]
        raise CarepoolError(f"bids on tender {tender.ref} stay sealed until the deadline "
                            f"({deadline:%Y-%m-%d %H:%M} UTC)", kind="conflict")
    new_status = check_move(tender.ref, TenderStatus(tender.status), "open bids of")
    lots = {r.id: r.code for r in uow.session.execute(select(LotRow).where(LotRow.tender_id == tender.id)).scalars()}
    bids = uow.session.execute(select(BidRow).where(BidRow.tender_id == tender.id,
                                                    BidRow.status == BidStatus.SUBMITTED.value)
                               .order_by(BidRow.id)).scalars().all()
    opened, tampered = 0, []
    for bid in bids:
        envelope = uow.session.get(SealedBidRow, bid.id)
        text = None if envelope is None else envelope.sealed_json
        problem = _problem(bid, lots[bid.lot_id], tender.ref, text)
        if problem is not None:
            check_bid_move(bid.reference, BidStatus(bid.status), BidStatus.TAMPERED)
            bid.status, bid.status_note = BidStatus.TAMPERED.value, f"excluded at opening: {problem}"
            tampered.append((bid.reference, bid.provider_code, problem))
            audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="bid.tampered",
                         entity_type="bid", entity_id=bid.reference,
                         after={"tender": tender.ref, "provider": bid.provider_code, "lot": lots[bid.lot_id],
                                "receipt_sha256": bid.receipt_sha256, "problem": problem,
                                "found_sha256": None if text is None else sealing.sha256(text)})
            continue
        content = sealing.unseal(text).content  # type: ignore[arg-type]
        check_bid_move(bid.reference, BidStatus(bid.status), BidStatus.OPENED)
        bid.status, bid.opened_at = BidStatus.OPENED.value, now
        bid.price = content.price
        bid.quality_cents = cents(content.quality)
        bid.max_quantity_cents = None if content.max_quantity is None else cents(content.max_quantity)
        bid.capacity_cents = None if content.capacity is None else cents(content.capacity)
        opened += 1
    tender.status, tender.opened_at = new_status.value, now
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.opened",
                 entity_type="tender", entity_id=tender.ref,
                 after={"opened": opened, "hash_checked": len(bids),
                        "tampered": [{"bid": b, "provider": p, "problem": why} for b, p, why in tampered]})
    tendering.keep_release(uow, tender, "opening")  # how many bid, and who, once the bids are open
    uow.commit()
    return Opening(opened=opened, tampered=tampered)


NO_PANEL_SCORE = "a panel score is from 0 to 100: none was given"
NO_PANEL_NOTE = "say how the panel reached the score (it is recorded)"


def panel_problems(score: Decimal | str, note: str) -> dict[str, str]:
    """Everything wrong with a panel score (as typed, or read) and its note, by field, all at once."""
    problems: dict[str, str] = {}
    if isinstance(score, str) and not score.strip():
        problems["score"] = NO_PANEL_SCORE
    else:
        try:
            quality_score(score, what="score")
        except CarepoolError as error:
            problems["score"] = error.message
    if not note.strip():
        problems["note"] = NO_PANEL_NOTE
    return problems


def set_panel_score(*, uow: UnitOfWork, caller: Caller, ref: str, bid_ref: str, score: Decimal | str,
                    note: str) -> None:
    """Record the evaluation panel's quality score for an opened bid (used instead of the self-declared one). The
    bid is looked up in this tender first, so a reference from another tender is simply not found here."""
    tender, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    reference = sealing.clean_reference(bid_ref)
    bid = None if reference is None else uow.session.execute(select(BidRow).where(
        BidRow.tender_id == tender.id, BidRow.reference == reference)).scalar_one_or_none()
    if bid is None:
        raise not_found(f"bid {bid_ref} in tender {tender.ref}")
    if TenderStatus(tender.status) is not TenderStatus.CLOSED:
        raise CarepoolError(f"panel scores are set after opening and before evaluation; tender {tender.ref} is "
                            f"{tender.status}", kind="conflict")
    if BidStatus(bid.status) is not BidStatus.OPENED:
        raise CarepoolError(f"bid {bid.reference} is {bid.status}; only opened bids are scored", kind="conflict")
    if problems := panel_problems(score, note):
        raise CarepoolError("; and ".join(problems.values()))
    scored = quality_score(score, what="score")
    before = bid.panel_quality_cents
    bid.panel_quality_cents, bid.panel_note = cents(scored), note.strip()
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="bid.panel_scored",
                 entity_type="bid", entity_id=bid.reference,
                 before={"panel_quality": None if before is None else str(from_cents(before))},
                 after={"panel_quality": str(scored), "note": note.strip()})
    uow.commit()
