"""Use cases for providers: submit a sealed bid, get a receipt, see their own bids (only their own).

The sealed envelope of a bid is read in two places only: here, for the provider that
made it, and in ``opening`` after the deadline. Buyers learn how many bids a lot has.
A bid is named by its random reference (``sealing.new_reference``), never by its row number.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.partners.model import Caller, OrgKind
from carepool.partners.service import Located
from carepool.procurement import sealing, service
from carepool.procurement.access import require_provider, tender_for
from carepool.procurement.bid_workbook import TenderLots
from carepool.procurement.model import (
    RESULT_STATUSES,
    BidContent,
    BidStatus,
    Receipt,
    TenderStatus,
    check_bid_move,
    from_cents,
)
from carepool.procurement.tables import AwardRow, BidRow, LotRow, SealedBidRow, TenderRow
from carepool.procurement.validation import bid_warnings, capacity_differs


@dataclass(frozen=True)
class MyBid:
    reference: str
    tender_ref: str
    tender_title: str
    tender_status: TenderStatus
    lot_code: str
    lot_name: str
    status: BidStatus
    status_note: str | None
    receipt: Receipt
    content: BidContent
    panel_quality: Decimal | None
    # hours a week won, once the award is confirmed (0: not awarded), for a bid opened at the deadline (or excluded
    # there as tampered); None before, and for a bid replaced or invalidated before the deadline, which never ran
    awarded: Decimal | None = None
    replaced_by: str | None = None  # a superseded bid: the reference of the provider's bid that replaced it

    @property
    def has_result(self) -> bool:
        """The bid was in the award the consortium confirmed: it won, or was not awarded (or was excluded)."""
        return self.awarded is not None


def _provider_org(uow: UnitOfWork, caller: Caller) -> None:
    require_provider(caller)
    if partners.get_organisation(uow=uow, code=caller.organisation_code).kind is not OrgKind.PROVIDER:
        raise CarepoolError("bids come from providers; your organisation is not registered as a provider",
                            kind="forbidden")


def _open_tender(uow: UnitOfWork, caller: Caller, ref: str) -> tuple[TenderRow, datetime]:
    """The tender, if it is taking bids now, and the server time of the submission.

    The tender's row is locked (FOR UPDATE), as opening and editing lock it: a bid sealed just before the deadline
    either commits before the bids are opened, and is opened with them, or waits and then finds the tender
    closed; and an edit that invalidates the submitted bids cannot miss one being sealed meanwhile. The time is
    read once the lock is held."""
    _provider_org(uow, caller)
    tender, _ = tender_for(uow, caller, ref, lock=True)
    now = uow.now()
    if TenderStatus(tender.status) is not TenderStatus.PUBLISHED:
        raise CarepoolError(f"tender {tender.ref} is {tender.status}: it is not open for bids", kind="conflict")
    deadline = tender.deadline
    if deadline is None or now >= deadline:  # type: ignore[operator]
        raise CarepoolError(f"the deadline for tender {tender.ref} has passed ({deadline:%Y-%m-%d %H:%M} UTC); "
                            "no more bids can be accepted", kind="conflict")
    return tender, now


def _lots(uow: UnitOfWork, tender: TenderRow) -> dict[str, LotRow]:
    return {lot.code: lot for lot in uow.session.execute(select(LotRow).where(LotRow.tender_id == tender.id)).scalars()}


def _fresh_reference(uow: UnitOfWork) -> str:
    """A random reference no bid has yet (50 random bits: a second draw is all but never needed)."""
    while True:
        reference = sealing.new_reference()
        if uow.session.execute(select(BidRow.id).where(BidRow.reference == reference)).first() is None:
            return reference


def _seal(uow: UnitOfWork, caller: Caller, tender: TenderRow, lot: LotRow, content: BidContent,
          now: datetime) -> Receipt:
    """Seal one bid (replacing the provider's earlier bid on the lot) and audit it; the caller commits."""
    provider = caller.organisation_code
    reference = _fresh_reference(uow)
    text, digest = sealing.seal(tender=tender.ref, tender_version=tender.version, lot=lot.code, provider=provider,
                                submitted_at=now, content=content)
    for old in uow.session.execute(select(BidRow).where(
            BidRow.tender_id == tender.id, BidRow.lot_id == lot.id, BidRow.provider_code == provider,
            BidRow.status == BidStatus.SUBMITTED.value)).scalars():
        check_bid_move(old.reference, BidStatus(old.status), BidStatus.SUPERSEDED)
        old.status = BidStatus.SUPERSEDED.value
        old.status_note = _replaced_note(reference, now)
    row = BidRow(reference=reference, tender_id=tender.id, lot_id=lot.id, provider_code=provider,
                 status=BidStatus.SUBMITTED.value, tender_version=tender.version, submitted_at=now,
                 submitted_by=caller.email, receipt_sha256=digest,
                 sme_declared=partners.get_organisation(uow=uow, code=provider).sme)
    uow.session.add(row)
    uow.session.flush()
    uow.session.add(SealedBidRow(bid_id=row.id, sealed_json=text))
    audit.record(uow=uow, actor=caller.actor, organisation=provider, action="bid.submitted", entity_type="bid",
                 entity_id=row.reference, after={"tender": tender.ref, "lot": lot.code, "sha256": digest,
                                               "submitted_at": now.isoformat(), "tender_version": tender.version})
    return Receipt(row.reference, tender.ref, lot.code, provider, digest, now,
                   bid_warnings(service.stored_lot(uow, lot).lot, content))


def _with_capacity_check(receipt: Receipt, content: BidContent, live: dict[str, Decimal | None]) -> Receipt:
    """The receipt, warning if its capacity differs from the one on the provider's other ``live`` bids."""
    others = {code: capacity for code, capacity in live.items() if code != receipt.lot}
    differs = capacity_differs(receipt.lot, content.capacity, others)
    return dataclasses.replace(receipt, warnings=(*receipt.warnings, differs)) if differs else receipt


def _live_capacities(uow: UnitOfWork, tender: TenderRow, provider: str) -> dict[str, Decimal | None]:
    """The capacity on each of the provider's own live bids on the tender, by lot, read from its own sealed bids
    once a submission is sealed (only to tell the provider itself, on its receipts)."""
    rows = uow.session.execute(
        select(LotRow.code, SealedBidRow.sealed_json).join(BidRow, BidRow.lot_id == LotRow.id)
        .join(SealedBidRow, SealedBidRow.bid_id == BidRow.id)
        .where(BidRow.tender_id == tender.id, BidRow.provider_code == provider,
               BidRow.status == BidStatus.SUBMITTED.value))
    found: dict[str, Decimal | None] = {}
    for code, text in rows:
        try:
            found[code] = sealing.unseal(text).content.capacity
        except CarepoolError:  # sealed before a check it now fails: opening names it; it must not block this bid
            continue
    return found


def submit_bid(*, uow: UnitOfWork, caller: Caller, ref: str, lot_code: str, content: BidContent) -> Receipt:
    """Seal a bid on one lot and return the receipt; a later bid on the same lot replaces it."""
    tender, now = _open_tender(uow, caller, ref)
    lot = _lots(uow, tender).get(lot_code.strip().upper())
    if lot is None:
        raise not_found(f"lot {lot_code} in tender {tender.ref}")
    receipt = _seal(uow, caller, tender, lot, content, now)
    receipt = _with_capacity_check(receipt, content, _live_capacities(uow, tender, caller.organisation_code))
    uow.commit()
    return receipt


def check_taking_bids(*, uow: UnitOfWork, caller: Caller, ref: str) -> TenderLots:
    """Refuse unless the caller is a provider and the tender takes bids now: asked before a bid workbook is read,
    so nobody else can make the server read a file. The tender's lots, for the reading to check the workbook's
    lot codes along with everything else (``bid_workbook.read_clean(path, tender)``)."""
    tender, _ = _open_tender(uow, caller, ref)
    return TenderLots(tender.ref, frozenset(_lots(uow, tender)))


def submit_bids(*, uow: UnitOfWork, caller: Caller, ref: str,
                bids: list[Located[tuple[str, BidContent]]]) -> list[Receipt]:
    """Seal bids on several lots at once (from a bid workbook): every lot is checked first, and either all
    are sealed, each with its own receipt, or none is."""
    tender, now = _open_tender(uow, caller, ref)
    if not bids:
        raise CarepoolError("no bids to seal: give a price (and a quality score) on each lot you bid for")
    lots = _lots(uow, tender)
    known = TenderLots(tender.ref, frozenset(lots))  # checked again: the tender may have changed since the reading
    problems = [b.problem(known.unknown(b.value[0]), "lot") for b in bids if b.value[0] not in lots]
    if problems:
        raise CarepoolError.from_problems(f"nothing was sealed: {problems[0]}", problems[1:])
    sealed = [(content, _seal(uow, caller, tender, lots[code], content, now))
              for code, content in (b.value for b in bids)]
    live = _live_capacities(uow, tender, caller.organisation_code)  # once every lot of the upload is sealed
    receipts = [_with_capacity_check(receipt, content, live) for content, receipt in sealed]
    uow.commit()  # capacities compared once every lot of the upload is sealed: not with the bids it replaces
    return receipts


def _own_content(uow: UnitOfWork, caller: Caller, bid: BidRow) -> BidContent:
    if bid.provider_code != caller.organisation_code:  # the envelope is the bidder's own, and no one else's
        raise not_found(f"bid {bid.reference}")
    envelope = uow.session.get(SealedBidRow, bid.id)
    if envelope is None:
        raise not_found(f"bid {bid.reference}")
    return sealing.unseal(envelope.sealed_json).content


def _own_bids(caller: Caller) -> Select[tuple[BidRow, TenderRow, LotRow]]:
    """The caller's organisation's bids with their tenders and lots: the one query a provider's bids come from."""
    require_provider(caller)
    return (select(BidRow, TenderRow, LotRow).join(TenderRow, TenderRow.id == BidRow.tender_id)
            .join(LotRow, LotRow.id == BidRow.lot_id).where(BidRow.provider_code == caller.organisation_code))


OPENED_AT_DEADLINE = frozenset({BidStatus.OPENED, BidStatus.TAMPERED})  # the bids an award result speaks of


def _replaced_note(reference: str, at: datetime) -> str:
    return f"replaced by bid {reference}, sealed {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _my_bid(uow: UnitOfWork, caller: Caller, bid: BidRow, tender: TenderRow, lot: LotRow,
            won: dict[int, int] | None = None, successors: dict[int, BidRow] | None = None) -> MyBid:
    receipt = Receipt(bid.reference, tender.ref, lot.code, bid.provider_code, bid.receipt_sha256,
                      bid.submitted_at)  # type: ignore[arg-type]
    status, bid_status, awarded = TenderStatus(tender.status), BidStatus(bid.status), None
    if status in RESULT_STATUSES and bid_status in OPENED_AT_DEADLINE:  # the award is confirmed: what it won
        awarded = from_cents((won if won is not None else _hours_won(uow, caller, [bid.id])).get(bid.id, 0))
    note, replaced_by = bid.status_note, None
    if bid_status is BidStatus.SUPERSEDED:
        successor = (successors if successors is not None else _successors(uow, caller, [bid])).get(bid.id)
        if successor is not None:  # named on reading: notes written before they named the bid say only when
            replaced_by, note = successor.reference, _replaced_note(successor.reference, successor.submitted_at)
    return MyBid(bid.reference, tender.ref, tender.title, status, lot.code, lot.name, bid_status, note, receipt,
                 _own_content(uow, caller, bid), from_cents(bid.panel_quality_cents), awarded, replaced_by)


def _successors(uow: UnitOfWork, caller: Caller, bids: list[BidRow]) -> dict[int, BidRow]:
    """Superseded bid id -> the caller's own bid that replaced it: its next bid on the same lot of the tender."""
    superseded = [bid for bid in bids if bid.status == BidStatus.SUPERSEDED.value]
    if not superseded:
        return {}
    rows = uow.session.execute(select(BidRow).where(
        BidRow.provider_code == caller.organisation_code,
        BidRow.tender_id.in_({bid.tender_id for bid in superseded}))
        .order_by(BidRow.submitted_at, BidRow.id)).scalars().all()
    latest: dict[tuple[int, int], BidRow] = {}  # (tender, lot) -> the bid seen last, going forwards in time
    found: dict[int, BidRow] = {}
    for row in rows:
        earlier = latest.get((row.tender_id, row.lot_id))
        if earlier is not None:
            found[earlier.id] = row
        latest[(row.tender_id, row.lot_id)] = row
    return {bid.id: found[bid.id] for bid in superseded if bid.id in found}


def _hours_won(uow: UnitOfWork, caller: Caller, bid_ids: list[int]) -> dict[int, int]:
    """Bid id -> hundredths of an hour a week awarded, for the caller's own bids among ``bid_ids``."""
    rows = uow.session.execute(
        select(AwardRow.bid_id, func.sum(AwardRow.weekly_quantity_cents))
        .where(AwardRow.bid_id.in_(bid_ids), AwardRow.provider_code == caller.organisation_code)
        .group_by(AwardRow.bid_id))
    return {bid_id: int(cents) for bid_id, cents in rows}


def my_bids(*, uow: UnitOfWork, caller: Caller, ref: str | None = None) -> list[MyBid]:
    """Every bid the caller's organisation has made (optionally on one tender), newest first; on a tender whose
    award is confirmed, each bid opened says what it won; a bid replaced before the deadline names the bid that
    replaced it."""
    query = _own_bids(caller).order_by(BidRow.submitted_at.desc(), BidRow.id.desc())
    if ref is not None:
        query = query.where(TenderRow.ref == ref.strip().upper())
    found = list(uow.session.execute(query))
    won = _hours_won(uow, caller, [bid.id for bid, _, _ in found])
    successors = _successors(uow, caller, [bid for bid, _, _ in found])
    return [_my_bid(uow, caller, bid, tender, lot, won, successors) for bid, tender, lot in found]


def my_bid(*, uow: UnitOfWork, caller: Caller, bid_ref: str) -> MyBid:
    """One of the caller's organisation's own bids, by its reference; anyone else's is not found, in the same
    words as a reference no bid has."""
    query = _own_bids(caller)
    reference = sealing.clean_reference(bid_ref)
    row = None if reference is None else uow.session.execute(query.where(BidRow.reference == reference)).first()
    if row is None:
        raise not_found(f"bid {bid_ref}")
    return _my_bid(uow, caller, *row)


def receipt(*, uow: UnitOfWork, caller: Caller, bid_ref: str) -> Receipt:
    return my_bid(uow=uow, caller=caller, bid_ref=bid_ref).receipt


@dataclass(frozen=True)
class SealedCopy:
    """A provider's own bid exactly as sealed, so it can check its receipt without trusting carepool."""

    bid: MyBid
    sealed_text: str  # the canonical JSON whose SHA-256 is on the receipt
    provider_name: str = ""

    def receipt_text(self) -> str:
        r, bid = self.bid.receipt, self.bid
        return "\n".join([
            "carepool: receipt for a sealed bid", "",
            f"Tender:     {bid.tender_ref} ({bid.tender_title})",
            f"Lot:        {bid.lot_code} ({bid.lot_name})",
            f"Provider:   {self.provider_name} ({r.provider})" if self.provider_name else f"Provider:   {r.provider}",
            f"Bid:        {r.bid_ref}",
            f"Sealed at:  {r.submitted_at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC",
            f"SHA-256:    {r.sha256}", "",
            "The bid as sealed, exactly the text whose SHA-256 is above (also downloadable on its own as",
            f"{sealed_name(r.bid_ref)}):", "", self.sealed_text, "",
            f"To check: sha256sum {sealed_name(r.bid_ref)} (macOS: shasum -a 256; Windows PowerShell:",
            "Get-FileHash -Algorithm SHA256) must print the SHA-256 above. At opening carepool hashes the",
            "stored text again and compares it with this receipt; a bid changed after sealing is flagged.", "",
        ])


def sealed_copy(*, uow: UnitOfWork, caller: Caller, bid_ref: str) -> SealedCopy:
    """The caller's own bid as sealed (its organisation's bids only; anyone else's is not found)."""
    bid = my_bid(uow=uow, caller=caller, bid_ref=bid_ref)
    envelope = uow.session.execute(select(SealedBidRow).join(BidRow, BidRow.id == SealedBidRow.bid_id).where(
        BidRow.reference == bid.reference)).scalar_one()  # there: my_bid has just unsealed it
    return SealedCopy(bid, envelope.sealed_json, caller.organisation_name)


def receipt_name(bid_ref: str) -> str:
    """The receipt's file name, e.g. ``bid-B-7K3M9Q2XDA-receipt.txt``."""
    return f"bid-{bid_ref}-receipt.txt"


def sealed_name(bid_ref: str) -> str:
    """The file name of the bid as sealed, e.g. ``bid-B-7K3M9Q2XDA-sealed.json``."""
    return f"bid-{bid_ref}-sealed.json"
