"""Use cases for tenders: create from lots, edit, publish, cancel, and read (never bid contents)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, conflict, not_found
from carepool.core.money import Money
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller
from carepool.procurement import consortia, coverage, service, tender_lots, validation
from carepool.procurement.access import consortium_for, is_member, public_tenders, tender_for
from carepool.procurement.award_rules import AwardRules, unmeetable
from carepool.procurement.model import (
    MOST_NAME,
    BidStatus,
    TenderStatus,
    check_bid_move,
    check_move,
    extended_deadline,
)
from carepool.procurement.tables import BidRow, ConsortiumMemberRow, ConsortiumRow, LotRow, TenderRow

ACTIVE_BIDS = (BidStatus.SUBMITTED.value, BidStatus.OPENED.value)


@dataclass(frozen=True)
class TenderView:
    id: int
    ref: str
    title: str
    description: str
    status: TenderStatus
    version: int
    consortium: consortia.ConsortiumView
    rules: AwardRules
    deadline: datetime | None
    contract_start: date | None  # when its contracts are to start (the day after standstill if later)
    published_at: datetime | None
    opened_at: datetime | None
    evaluated_at: datetime | None
    awarded_at: datetime | None
    standstill_ends: datetime | None
    contracted_at: datetime | None
    lots: tuple[service.StoredLot, ...]
    is_member: bool
    now: datetime
    bid_counts: dict[str, int] | None  # per lot code: members only; never contents
    override_reason: str | None = None
    bids_invalidated: int = 0  # on the view update_tender returns: the submitted bids that edit invalidated
    changed: bool = True  # on the view update_tender returns: False when the edit changed nothing
    contract_start_moved: date | None = None  # on the view update_tender returns: where a later deadline moved it
    cancelled: tuple[datetime, str] | None = None  # when a cancelled tender was cancelled, and why (its bidders see it)

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.now >= self.deadline

    @property
    def annual_value(self) -> Money:
        return Money.sum(s.lot.annual_value for s in self.lots)

    @property
    def bid_count(self) -> int | None:
        return None if self.bid_counts is None else sum(self.bid_counts.values())

    @property
    def standstill_over(self) -> bool:
        return self.standstill_ends is not None and self.now >= self.standstill_ends

    @property
    def edit_token(self) -> str:
        """What the edit form was filled in from: an edit sent with an older token is refused."""
        return edit_token(_editable(self.title, self.description, self.rules.as_dict(), self.deadline,
                                    self.contract_start, self.version, [s.lot.code for s in self.lots]))


def _editable(title: str, description: str, rules: dict[str, Any], deadline: datetime | None,
              contract_start: date | None, version: int, lots: list[str]) -> dict[str, Any]:
    return {"title": title, "description": description, "rules": rules, "deadline": str(deadline),
            "contract_start": str(contract_start), "version": version, "lots": lots}


def _editable_row(uow: UnitOfWork, row: TenderRow) -> dict[str, Any]:
    """The tender as its edit form shows it: rules read as the page reads them, so a tender stored in an older
    spelling of its rules gets the same token on the page and here."""
    return _editable(row.title, row.description, AwardRules.parse(json.loads(row.rules_json)).as_dict(),
                     row.deadline, row.contract_start, row.version, _lot_codes(uow, row))


def edit_token(state: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def bid_counts(uow: UnitOfWork, tender_id: int) -> dict[str, int]:
    """How many live bids each lot has: the only thing about sealed bids anyone but the bidder learns."""
    rows = uow.session.execute(
        select(LotRow.code, func.count(BidRow.id)).join(BidRow, BidRow.lot_id == LotRow.id)
        .where(BidRow.tender_id == tender_id, BidRow.status.in_(ACTIVE_BIDS)).group_by(LotRow.code))
    counts = Counter({code: n for code, n in rows})
    return {row.code: counts.get(row.code, 0) for row in service.lot_rows(uow, tender_id=tender_id)}


def view(uow: UnitOfWork, row: TenderRow, *, member: bool) -> TenderView:
    consortium = consortia.consortium_view(uow, uow.session.get(ConsortiumRow, row.consortium_id))  # type: ignore[arg-type]
    lots = tuple(service.stored_lot(uow, r) for r in service.lot_rows(uow, tender_id=row.id))
    return TenderView(
        id=row.id, ref=row.ref, title=row.title, description=row.description, status=TenderStatus(row.status),
        version=row.version, consortium=consortium, rules=AwardRules.parse(json.loads(row.rules_json)),
        deadline=row.deadline, contract_start=row.contract_start, published_at=row.published_at,
        opened_at=row.opened_at,
        evaluated_at=row.evaluated_at, awarded_at=row.awarded_at,
        standstill_ends=row.standstill_ends, contracted_at=row.contracted_at, lots=lots,
        is_member=member, now=uow.now(), bid_counts=bid_counts(uow, row.id) if member else None,
        override_reason=row.override_reason,
        cancelled=_cancellation(uow, row) if row.status == TenderStatus.CANCELLED.value else None,
    )


def _cancellation(uow: UnitOfWork, row: TenderRow) -> tuple[datetime, str] | None:
    """When and why the tender was cancelled, as the audit trail recorded it (the one place it is kept)."""
    events = audit.list_events(uow=uow, organisation=None, entity_type="tender", entity_id=row.ref,
                               action="tender.cancelled", limit=1)
    return (events[0].at, str((events[0].after or {}).get("reason", ""))) if events else None


def get_tender(*, uow: UnitOfWork, caller: Caller, ref: str) -> TenderView:
    row, member = tender_for(uow, caller, ref)
    return view(uow, row, member=member)


def list_tenders(*, uow: UnitOfWork, caller: Caller) -> list[TenderView]:
    """Tenders of the caller's consortia (any status) and every published tender."""
    mine = select(ConsortiumMemberRow.consortium_id).where(
        ConsortiumMemberRow.organisation_code == caller.organisation_code)
    rows = uow.session.execute(select(TenderRow).where(TenderRow.consortium_id.in_(mine) | public_tenders())
                               .order_by(TenderRow.created_at.desc(), TenderRow.id.desc()))
    return [view(uow, row, member=is_member(uow, caller, row.consortium_id)) for row in rows.scalars()]


REF_ATTEMPTS = 20  # tenders created at the same moment each try the next number: far more than ever needed


def _next_ref(uow: UnitOfWork) -> str:
    """The year's next tender reference, one above the highest so far (``CP-2026-007`` after ``CP-2026-006``):
    numbered across the installation, every consortium's drafts included."""
    year = uow.now().year
    prefix = f"CP-{year}-"
    highest = uow.session.execute(select(TenderRow.ref).where(TenderRow.ref.like(f"{prefix}%")).order_by(
        func.length(TenderRow.ref).desc(), TenderRow.ref.desc()).limit(1)).scalar()  # CP-2026-1000 after -999
    number = int(highest.removeprefix(prefix)) if highest and highest.removeprefix(prefix).isdigit() else 0
    return f"{prefix}{number + 1:03d}"


def _stored_with_next_ref(uow: UnitOfWork, make: Callable[[str], TenderRow]) -> TenderRow:
    """The new tender stored under the year's next reference. Two tenders created at the same moment both see the
    same number as next; the one that stores it second (PostgreSQL's unique index makes it wait for the first)
    takes the number after, rather than failing."""
    for _ in range(REF_ATTEMPTS):
        row = make(_next_ref(uow))
        try:
            with uow.session.begin_nested():
                uow.session.add(row)
        except IntegrityError:
            taken = uow.session.execute(select(TenderRow.id).where(TenderRow.ref == row.ref)).first()
            if taken is None:  # some other constraint: not a clash of references
                raise
            continue
        return row
    raise conflict("many tenders are being created at this moment: no free reference was found; try again")


def _check_title(title: str) -> None:
    if len(title.strip()) > MOST_NAME:
        raise CarepoolError(f"a tender's title is at most {MOST_NAME} characters; this one has {len(title.strip()):,}")


def create_tender(*, uow: UnitOfWork, caller: Caller, consortium_id: int, title: str, lot_ids: list[int],
                  rules: dict[str, Any], deadline: datetime | None = None, description: str = "",
                  contract_start: date | None = None) -> TenderView:
    """A draft tender made of lots from the plan (they leave the plan and belong to the tender)."""
    consortium_for(uow, caller, consortium_id, manage=True)
    if not title.strip():
        raise CarepoolError("give the tender a title")
    _check_title(title)
    if not lot_ids:
        raise CarepoolError("choose at least one lot from the plan")
    parsed = AwardRules.parse(rules)
    now = uow.now()
    checked = validation.checked_deadline(deadline, now), validation.checked_contract_start(contract_start, deadline)
    row = _stored_with_next_ref(uow, lambda ref: TenderRow(
        ref=ref, consortium_id=consortium_id, title=title.strip(), description=description,
        status=TenderStatus.DRAFT.value, version=1, rules_json=json.dumps(parsed.as_dict()), deadline=checked[0],
        created_at=now, created_by=caller.actor, contract_start=checked[1]))
    plan = {r.id: r for r in service.lot_rows(uow, consortium_id=consortium_id)}
    for lot_id in lot_ids:
        if lot_id not in plan:
            raise not_found(f"lot {lot_id} in the plan of consortium {consortium_id}")
    coverage.check_not_live_elsewhere(uow, consortium_id, [plan[i] for i in lot_ids], tender_id=row.id)
    coverage.check_after_running_contracts(uow, consortium_id, [plan[i] for i in lot_ids], row.contract_start)
    for lot_id in lot_ids:
        plan[lot_id].tender_id = row.id
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.created",
                 entity_type="tender", entity_id=row.ref,
                 after={"title": row.title, "lots": sorted(plan[i].code for i in lot_ids), "rules": parsed.as_dict(),
                        **({"contract_start": str(contract_start)} if contract_start else {})})
    uow.commit()
    return view(uow, row, member=True)


def update_tender(*, uow: UnitOfWork, caller: Caller, ref: str, title: str | None = None,
                  description: str | None = None, deadline: datetime | None = None,
                  rules: dict[str, Any] | None = None, add_lots: list[str] | None = None,
                  remove_lots: list[str] | None = None, based_on: str | None = None,
                  contract_start: date | None = None, clear_contract_start: bool = False) -> TenderView:
    """Edit a draft or published tender: its words, rules, deadline, contract start and lots (by code:
    ``add_lots`` come from the consortium's plan, ``remove_lots`` go back to it). Only the rules given change
    (``None`` removes one). After publication a real change invalidates every submitted bid (bidders see it in
    their portal and bid again) and moves the deadline out to leave at least ``MIN_NOTICE`` if it was closer
    than that, and a contract start that deadline leaves too early moves to the earliest it allows
    (``contract_start_moved``); an edit that changes nothing changes nothing. ``based_on`` (a view's
    ``edit_token``) refuses an edit made on what someone else has changed since."""
    row, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    status = TenderStatus(row.status)
    check_move(row.ref, status, "edit")
    now = uow.now()
    if status is TenderStatus.PUBLISHED and now >= (row.deadline or now):
        raise CarepoolError(f"tender {row.ref}: the deadline has passed; it can no longer be changed, only opened "
                            "or cancelled", kind="conflict")
    before = _editable_row(uow, row)
    if based_on is not None and based_on != edit_token(before):
        raise conflict(f"tender {row.ref} was changed by someone else after you opened it: nothing was saved; "
                       "reload it to see their change, then make yours again")
    if title is not None:
        if not title.strip():
            raise CarepoolError("the title cannot be empty")
        _check_title(title)
        row.title = title.strip()
    if description is not None:
        row.description = description
    if rules is not None:
        merged = {k: v for k, v in {**before["rules"], **rules}.items() if v is not None}
        row.rules_json = json.dumps(AwardRules.parse(merged).as_dict())
    if deadline is not None:
        if deadline.tzinfo is None:  # not read as the server's own local time, which the buyer cannot know
            raise CarepoolError("give the deadline with its time zone, e.g. 2027-03-01T12:00:00+00:00")
        row.deadline = (validation.checked_deadline(deadline, now) if status is TenderStatus.DRAFT
                        else deadline.astimezone(UTC))
    if contract_start is not None or clear_contract_start:
        row.contract_start = contract_start
    released = tender_lots.change_lots(uow, row, add_lots or [], remove_lots or [])
    if _editable_row(uow, row) == before:
        uow.rollback()
        return replace(view(uow, row, member=True), changed=False)
    invalidated = 0
    if status is TenderStatus.PUBLISHED:
        _check_meetable(uow, row)
        row.version += 1
        row.deadline = extended_deadline(now, row.deadline or now)
        now_state = _editable_row(uow, row)
        invalidated = _invalidate_bids(uow, caller, row, [CHANGE_WORDS[k] for k in CHANGE_WORDS
                                                          if now_state[k] != before[k]])
    moved = None
    if contract_start is None and row.contract_start is not None and row.deadline is not None \
            and row.contract_start < validation.earliest_start(row.deadline):  # the deadline moved: the start too
        row.contract_start = moved = validation.earliest_start(row.deadline)
    validation.checked_contract_start(row.contract_start, row.deadline)
    coverage.check_after_running_contracts(uow, row.consortium_id, service.lot_rows(uow, tender_id=row.id),
                                           row.contract_start)
    state = _editable_row(uow, row)
    changed = [k for k in state if state[k] != before[k]]  # the trail shows what changed, not the whole form again
    after = {**{k: state[k] for k in changed}, "version": row.version, "bids_invalidated": invalidated}
    if released:
        after["lots_removed"] = released
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.edited",
                 entity_type="tender", entity_id=row.ref, before={k: before[k] for k in [*changed, "version"]},
                 after=after)
    if status is TenderStatus.PUBLISHED:
        keep_release(uow, row, "amendment")
    uow.commit()
    return replace(view(uow, row, member=True), bids_invalidated=invalidated, contract_start_moved=moved)


def _lot_codes(uow: UnitOfWork, row: TenderRow) -> list[str]:
    return [r.code for r in service.lot_rows(uow, tender_id=row.id)]


CHANGE_WORDS = {"title": "title", "description": "description", "rules": "award rules", "deadline": "deadline",
                "contract_start": "contracts start", "lots": "lots"}  # what a bidder reads changed


def _invalidate_bids(uow: UnitOfWork, caller: Caller, row: TenderRow, changed: list[str]) -> int:
    bids = uow.session.execute(select(BidRow).where(BidRow.tender_id == row.id,
                                                    BidRow.status == BidStatus.SUBMITTED.value)).scalars()
    count = 0
    for bid in bids:
        check_bid_move(bid.reference, BidStatus(bid.status), BidStatus.INVALIDATED)
        bid.status = BidStatus.INVALIDATED.value
        what = f"its {', '.join(changed)}" if changed else "the tender"
        bid.status_note = (f"the tender changed on {uow.now():%Y-%m-%d %H:%M} UTC ({what}; version {row.version}): "
                           f"please bid again before {row.deadline:%Y-%m-%d %H:%M} UTC")
        audit.record(uow=uow, actor=caller.actor, organisation=bid.provider_code, action="bid.invalidated",
                     entity_type="bid", entity_id=bid.reference,
                     after={"tender": row.ref, "version": row.version, "changed": changed})
        count += 1
    return count


def _check_meetable(uow: UnitOfWork, row: TenderRow) -> None:
    """A tender goes out (or stays out) only with rules some award could keep."""
    lots = len(service.lot_rows(uow, tender_id=row.id))
    if why := unmeetable(AwardRules.parse(json.loads(row.rules_json)), lots):
        raise CarepoolError(f"tender {row.ref}: {why}")


def publish(*, uow: UnitOfWork, caller: Caller, ref: str) -> TenderView:
    row, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    row.status = check_move(row.ref, TenderStatus(row.status), "publish").value
    now = uow.now()
    if row.deadline is None:
        raise CarepoolError(f"tender {row.ref} has no deadline: set one before publishing")
    validation.checked_deadline(row.deadline, now)
    validation.checked_contract_start(row.contract_start, row.deadline)
    _check_meetable(uow, row)
    coverage.check_after_running_contracts(uow, row.consortium_id, service.lot_rows(uow, tender_id=row.id),
                                           row.contract_start)
    row.published_at = now
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.published",
                 entity_type="tender", entity_id=row.ref, after={"deadline": str(row.deadline)})
    keep_release(uow, row, "tender")
    uow.commit()
    return view(uow, row, member=True)


def cancel(*, uow: UnitOfWork, caller: Caller, ref: str, reason: str) -> TenderView:
    row, _ = tender_for(uow, caller, ref, manage=True, lock=True)
    if not reason.strip():
        raise CarepoolError("say why the tender is cancelled")
    before = row.status
    row.status = check_move(row.ref, TenderStatus(row.status), "cancel").value
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="tender.cancelled",
                 entity_type="tender", entity_id=row.ref, before={"status": before},
                 after={"status": row.status, "reason": reason.strip()})
    if row.published_at is not None:
        keep_release(uow, row, "cancellation")
    uow.commit()
    return view(uow, row, member=True)


def keep_release(uow: UnitOfWork, row: TenderRow, stage: str) -> None:
    """Keep the tender's open contracting release of ``stage`` with the change it publishes."""
    from carepool.procurement import publication  # publication reads tenders through this module

    publication.keep_release(uow, row, stage)
