"""Use cases for consortia, their demand, and the lot plan built from it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select

from carepool.audit import service as audit
from carepool.core import tabular
from carepool.core.errors import CarepoolError, Problem, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.partners.model import Caller, OrgKind, Role
from carepool.partners.service import Located
from carepool.procurement import lots as design
from carepool.procurement import validation
from carepool.procurement.access import consortium_for, is_member, manages, member_codes
from carepool.procurement.model import (
    SERVICES,
    BidStatus,
    DemandKey,
    DemandLine,
    LotDesign,
    MemberShare,
    cents,
    from_cents,
)
from carepool.procurement.tables import (
    BidRow,
    ConsortiumRow,
    DemandRow,
    LotRow,
    LotShareRow,
    TenderRow,
)


def set_sme_threshold(*, uow: UnitOfWork, caller: Caller, consortium_id: int, hours: Decimal | None) -> None:
    row = consortium_for(uow, caller, consortium_id, manage=True)
    before = from_cents(row.sme_threshold_cents)
    design.sme_threshold(stated=hours)  # checks it
    row.sme_threshold_cents = None if hours is None else cents(hours)
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="consortium.threshold",
                 entity_type="consortium", entity_id=str(row.id),
                 before={"sme_threshold": None if before is None else str(before)},
                 after={"sme_threshold": None if hours is None else str(hours)})
    uow.commit()


@dataclass(frozen=True)
class StoredLot:
    id: int
    tender_ref: str | None
    lot: LotDesign


# --- demand -----------------------------------------------------------------------------


def list_demand(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> list[DemandLine]:
    consortium_for(uow, caller, consortium_id)
    rows = uow.session.execute(select(DemandRow).where(DemandRow.consortium_id == consortium_id)
                               .order_by(DemandRow.member_code, DemandRow.service, DemandRow.locality_code,
                                         DemandRow.current_provider))
    return [DemandLine(r.member_code, r.service, r.locality_code, from_cents(r.weekly_quantity_cents) or Decimal(0),
                       r.baseline_price, r.current_provider) for r in rows.scalars()]


def _demand_problems(uow: UnitOfWork, consortium_id: int, keys: Sequence[Located[DemandKey]],
                     own_only: str | None) -> list[Problem]:
    """Whose, what and where of each row, checked against the consortium (a field a file could not read is
    None, and left to the problem already found in it)."""
    members = set(member_codes(uow, consortium_id))
    invited = set(member_codes(uow, consortium_id, joined=False))
    localities = {loc.code for loc in partners.list_localities(uow=uow)}
    problems: list[Problem] = []
    seen: dict[DemandKey, int | None] = {}
    for item in sorted(keys, key=lambda k: (k.file or "", k.sheet or "", k.row or 0)):
        key = item.value
        if key.member in invited:
            problems.append(item.problem(f"{key.member} has been invited to this consortium but has not yet "
                                         "accepted; its demand can be stated once it joins", "member_code"))
        elif key.member is not None and key.member not in members:
            problems.append(item.problem(f"{key.member} is not a member of this consortium", "member_code"))
        elif own_only and key.member is not None and key.member != own_only:
            problems.append(item.problem(f"{key.member} is another member: you may state demand for your own "
                                         f"organisation ({own_only}) only; the lead's procurement team imports "
                                         "everyone's", "member_code"))
        if key.locality is not None and key.locality not in localities:
            problems.append(item.problem(f"{key.locality} is not a known locality", "locality_code"))
        if key.service is not None and key.service not in SERVICES:
            problems.append(item.problem(f"{key.service} is not a service", "service"))
        if None in (key.member, key.service, key.locality, key.current_provider):
            continue
        if key in seen:
            problems.append(item.problem(f"repeats row {seen[key]}", "locality_code"))
        seen[key] = item.row
    return problems


@dataclass(frozen=True)
class DemandSaved:
    """What an import of demand did: whose demand it replaced, and what it left alone."""

    lines: int  # lines now on record from the file
    members: tuple[str, ...]  # members whose demand was replaced
    replaced: int  # lines those members had before
    kept: int  # other members' lines, untouched
    places: frozenset[tuple[str, str]] = frozenset()  # (service, locality) of the lines replaced and written
    changed: bool = True  # False: the file held exactly the demand on record, and nothing was written


def demand_writer(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> str | None:
    """May the caller state this consortium's demand? None: any member's (the lead's procurement team); else only
    its own organisation's (another member's commissioner or procurement user). Asked before an upload is read,
    so a refusal costs nothing."""
    row = consortium_for(uow, caller, consortium_id)
    if manages(caller, row.lead_code):
        return None
    if caller.has(Role.COMMISSIONER, Role.PROCUREMENT):
        return caller.organisation_code
    raise CarepoolError("stating demand needs the procurement or commissioner role", kind="forbidden")


def save_demand(*, uow: UnitOfWork, caller: Caller, consortium_id: int, lines: list[Located[DemandLine]],
                problems: list[Problem] | None = None, incomplete: Sequence[Located[DemandKey]] = (),
                what: str = "demand", replace_all: bool = False) -> DemandSaved:
    """Replace the demand of the members in the file, all or nothing; a member not in the file keeps its demand.

    ``problems`` and ``incomplete`` are what reading the file found (``io.DemandFile``): the rows with a problem
    are checked here too, so one upload names every problem.

    ``replace_all`` (procurement only) replaces every member's demand, so a member left out of the file has
    none. A commissioner replaces only its own organisation's lines.
    """
    own_only = demand_writer(uow=uow, caller=caller, consortium_id=consortium_id)
    keys = [Located(item.value.key, item.file, item.sheet, item.row) for item in lines] + list(incomplete)
    absurd = [item.problem(message, column) for item in lines  # as a file's are, for a caller that built lines
              for column, message in validation.demand_problems(item.value)]
    tabular.check(list(problems or []) + absurd + _demand_problems(uow, consortium_id, keys, own_only), what)
    if own_only:
        members = {own_only}
    elif replace_all:
        members = set(member_codes(uow, consortium_id))
    else:
        members = {item.value.member for item in lines}
        if not members:
            raise CarepoolError(f"{what}: no demand lines in it, so nothing was imported (to clear every member's "
                                "demand, replace all with an empty file)")
    on_record = uow.session.execute(select(DemandRow.member_code, func.count()).where(
        DemandRow.consortium_id == consortium_id).group_by(DemandRow.member_code)).all()
    replaced = sum(count for member, count in on_record if member in members)
    kept = sum(count for member, count in on_record if member not in members)
    if _demand_of(uow, consortium_id, members) == Counter(_demand_key(item.value) for item in lines):
        uow.rollback()  # the same demand again: nothing to write, nothing for the trail
        return DemandSaved(len(lines), tuple(sorted(members)), replaced, kept, changed=False)
    places = frozenset((kind, locality) for kind, locality in uow.session.execute(
        select(DemandRow.service, DemandRow.locality_code).where(DemandRow.consortium_id == consortium_id,
                                                                 DemandRow.member_code.in_(members)))) | {
        (item.value.service, item.value.locality) for item in lines}
    uow.session.execute(delete(DemandRow).where(DemandRow.consortium_id == consortium_id,
                                                DemandRow.member_code.in_(members)))
    for item in lines:
        line = item.value
        uow.session.add(DemandRow(consortium_id=consortium_id, member_code=line.member, service=line.service,
                                  locality_code=line.locality, weekly_quantity_cents=cents(line.weekly_quantity),
                                  baseline_price=line.baseline_price, current_provider=line.current_provider))
    saved = DemandSaved(len(lines), tuple(sorted(members)), replaced, kept, places)
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="demand.saved",
                 entity_type="consortium", entity_id=str(consortium_id),
                 after={"lines": saved.lines, "members": list(saved.members), "replaced": replaced, "kept": kept,
                        "source": what})
    stated = Counter(item.value.member for item in lines)
    for member in sorted(members - {caller.organisation_code}):  # in the member's own trail: its demand, by another
        audit.record(uow=uow, actor=caller.actor, organisation=member, action="demand.stated_for_member",
                     entity_type="consortium", entity_id=str(consortium_id),
                     after={"by": caller.organisation_code, "lines": stated[member], "source": what})
    uow.commit()
    return saved


DemandKeyed = tuple[str, str, str, int, int, str]  # member, service, locality, hundredths, price in pence, provider


def _demand_key(line: DemandLine) -> DemandKeyed:
    return (line.member, line.service, line.locality, cents(line.weekly_quantity), line.baseline_price.pence,
            line.current_provider)


def _demand_of(uow: UnitOfWork, consortium_id: int, members: set[str]) -> Counter[DemandKeyed]:
    rows = uow.session.execute(select(DemandRow).where(DemandRow.consortium_id == consortium_id,
                                                       DemandRow.member_code.in_(members))).scalars()
    return Counter((r.member_code, r.service, r.locality_code, r.weekly_quantity_cents, r.baseline_price.pence,
                    r.current_provider) for r in rows)


# --- lots -------------------------------------------------------------------------------


def sme_capacities(*, uow: UnitOfWork, consortium_id: int) -> list[Decimal]:
    """Capacities small providers declared in bids this consortium has opened, each provider's latest: only what
    the consortium's members already see (sealed bids, other consortia's and bids excluded at opening are not).
    A provider counts as small as it declared itself with that bid (older bids: as the directory says now)."""
    rows = uow.session.execute(
        select(BidRow.provider_code, BidRow.capacity_cents, BidRow.sme_declared)
        .join(TenderRow, TenderRow.id == BidRow.tender_id)
        .where(TenderRow.consortium_id == consortium_id, BidRow.status == BidStatus.OPENED.value,
               BidRow.capacity_cents.is_not(None)).order_by(BidRow.id))
    smes = {o.code for o in partners.list_organisations(uow=uow, kind=OrgKind.PROVIDER) if o.sme}
    latest: dict[str, int | None] = {}
    for code, capacity, declared in rows:
        latest[code] = capacity if (code in smes if declared is None else declared) else None
    return [from_cents(v) or Decimal(0) for v in latest.values() if v is not None]


def threshold_for(uow: UnitOfWork, row: ConsortiumRow) -> tuple[Decimal, str]:
    capacities = sme_capacities(uow=uow, consortium_id=row.id)
    return design.sme_threshold(stated=from_cents(row.sme_threshold_cents), sme_capacities=capacities)


def sme_threshold_of(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> tuple[Decimal, str]:
    """The hours a week above which this consortium's lots are flagged too big for an SME, and why."""
    return threshold_for(uow, consortium_for(uow, caller, consortium_id))


def _shares(uow: UnitOfWork, lot_id: int) -> tuple[MemberShare, ...]:
    rows = uow.session.execute(select(LotShareRow).where(LotShareRow.lot_id == lot_id).order_by(LotShareRow.id))
    return tuple(MemberShare(r.member_code, from_cents(r.weekly_quantity_cents) or Decimal(0), r.baseline_price,
                             r.share_bp, r.annual_value) for r in rows.scalars())


def stored_lot(uow: UnitOfWork, row: LotRow) -> StoredLot:
    ref = None
    if row.tender_id is not None:
        ref = uow.session.get(TenderRow, row.tender_id).ref  # type: ignore[union-attr]
    lot = LotDesign(row.code, row.name, row.service, tuple(row.localities.split(",")), _shares(uow, row.id),
                    row.too_big_for_sme)
    return StoredLot(row.id, ref, lot)


def lot_rows(uow: UnitOfWork, *, consortium_id: int | None = None, tender_id: int | None = None) -> list[LotRow]:
    query = select(LotRow).order_by(LotRow.code)
    query = query.where(LotRow.tender_id == tender_id) if tender_id is not None else query.where(
        LotRow.consortium_id == consortium_id, LotRow.tender_id.is_(None), LotRow.removed_from_tender_id.is_(None))
    return list(uow.session.execute(query).scalars())


def tendered_lot_count(uow: UnitOfWork, consortium_id: int) -> int:
    """How many of the consortium's lots have gone into a tender (so are no longer in its plan)."""
    return uow.session.execute(select(func.count()).select_from(LotRow).where(
        LotRow.consortium_id == consortium_id, LotRow.tender_id.is_not(None))).scalar_one()


def list_lots(*, uow: UnitOfWork, caller: Caller, consortium_id: int) -> list[StoredLot]:
    """The lot plan: lots built from demand and not yet put into a tender."""
    consortium_for(uow, caller, consortium_id)
    return [stored_lot(uow, row) for row in lot_rows(uow, consortium_id=consortium_id)]


def _store(uow: UnitOfWork, consortium_id: int, lots: list[LotDesign]) -> None:
    taken = {r.code for r in lot_rows(uow, consortium_id=consortium_id)}
    for lot in lots:
        if problem := design.too_long(lot):
            raise CarepoolError(f"lot {lot.code}: {problem}")
        if lot.code in taken:
            raise CarepoolError(f"a lot coded {lot.code} is already in the plan", kind="conflict")
        taken.add(lot.code)
        row = LotRow(consortium_id=consortium_id, tender_id=None, code=lot.code, name=lot.name, service=lot.service,
                     localities=",".join(lot.localities), too_big_for_sme=lot.too_big_for_sme)
        uow.session.add(row)
        uow.session.flush()
        uow.session.add_all(LotShareRow(lot_id=row.id, member_code=s.member, weekly_quantity_cents=cents(
            s.weekly_quantity), baseline_price=s.baseline_price, share_bp=s.share_bp, annual_value=s.annual)
            for s in lot.shares)


def _remove(uow: UnitOfWork, rows: list[LotRow]) -> None:
    for row in rows:
        uow.session.execute(delete(LotShareRow).where(LotShareRow.lot_id == row.id))
        uow.session.delete(row)
    uow.session.flush()


def release_lot(uow: UnitOfWork, row: LotRow) -> str:
    """Take a lot out of its tender and put it back in the plan; say where it went (for the audit trail).

    A lot nobody bid on goes back as it is. A lot with bids (in any status) stays as the record those bids
    point at, out of the plan and out of every tender, and the plan gets a copy of it. If the plan already
    has a lot with the same code (it was rebuilt since), the plan's lot stands and no copy is made.
    """
    in_plan = {r.code for r in lot_rows(uow, consortium_id=row.consortium_id)}
    bid_on = uow.session.execute(select(BidRow.id).where(BidRow.lot_id == row.id).limit(1)).first() is not None
    if not bid_on and row.code not in in_plan:
        row.tender_id = None
        uow.session.flush()
        return "back in the plan"
    lot = stored_lot(uow, row).lot
    row.tender_id, row.removed_from_tender_id = None, row.tender_id
    uow.session.flush()
    if row.code in in_plan:
        return "left out: the plan already has a lot with this code"
    _store(uow, row.consortium_id, [lot])
    return "back in the plan as a copy (the bids made on it keep the original)"


def _plan_summary(lots: list[LotDesign]) -> list[dict[str, str | bool]]:
    return [{"code": lot.code, "weekly": str(lot.weekly_quantity), "annual": lot.annual_value.plain(),
             "too_big_for_sme": lot.too_big_for_sme} for lot in lots]


def build_lots(*, uow: UnitOfWork, caller: Caller, consortium_id: int, split_big: bool = False) -> list[StoredLot]:
    """Rebuild the lot plan from demand (one lot per service and locality; optionally split big ones)."""
    row = consortium_for(uow, caller, consortium_id, manage=True)
    threshold, _ = threshold_for(uow, row)
    names = {loc.code: loc.name for loc in partners.list_localities(uow=uow)}
    demand = list_demand(uow=uow, caller=caller, consortium_id=consortium_id)
    if not demand:
        raise CarepoolError("there is no demand to build lots from: import the members' demand first")
    lots = design.aggregate(demand, threshold=threshold, locality_names=names)
    if split_big:
        lots = [part for lot in lots for part in design.split_to_fit(lot, threshold)]
    _remove(uow, lot_rows(uow, consortium_id=consortium_id))
    _store(uow, consortium_id, lots)
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="lots.built",
                 entity_type="consortium", entity_id=str(consortium_id),
                 after={"threshold": str(threshold), "lots": _plan_summary(lots)})
    uow.commit()
    return list_lots(uow=uow, caller=caller, consortium_id=consortium_id)


def _plan_lots(uow: UnitOfWork, caller: Caller, lot_ids: list[int]) -> tuple[ConsortiumRow, list[LotRow]]:
    """The lots, all of one consortium the caller manages; a lot of a consortium the caller is not in answers "not
    found", as one that never was, so no lot number tells an outsider that a lot, or a consortium, exists."""
    rows: list[LotRow] = []
    for lot_id in lot_ids:
        row = uow.session.get(LotRow, lot_id)
        if row is None or not is_member(uow, caller, row.consortium_id):
            raise not_found(f"lot {lot_id}")
        rows.append(row)
    if len({r.consortium_id for r in rows}) != 1:
        raise CarepoolError("the lots belong to different consortia")
    consortium = consortium_for(uow, caller, rows[0].consortium_id, manage=True)
    for row in rows:
        if row.tender_id is not None or row.removed_from_tender_id is not None:
            raise CarepoolError(f"lot {row.code} is (or was) in a tender; change lots in the plan only",
                                kind="conflict")
    return consortium, rows


def split_lot(*, uow: UnitOfWork, caller: Caller, lot_id: int, parts: int) -> list[StoredLot]:
    consortium, (row,) = _plan_lots(uow, caller, [lot_id])
    threshold, _ = threshold_for(uow, consortium)
    pieces = design.split(stored_lot(uow, row).lot, parts, threshold=threshold)
    _remove(uow, [row])
    _store(uow, consortium.id, pieces)
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="lots.split",
                 entity_type="consortium", entity_id=str(consortium.id),
                 after={"lot": row.code, "parts": _plan_summary(pieces)})
    uow.commit()
    return list_lots(uow=uow, caller=caller, consortium_id=consortium.id)


def merge_lots(*, uow: UnitOfWork, caller: Caller, lot_ids: list[int], name: str | None = None) -> list[StoredLot]:
    consortium, rows = _plan_lots(uow, caller, lot_ids)
    threshold, _ = threshold_for(uow, consortium)
    merged = design.merge([stored_lot(uow, r).lot for r in rows], threshold=threshold, name=name or None)
    _remove(uow, rows)
    _store(uow, consortium.id, [merged])
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code, action="lots.merged",
                 entity_type="consortium", entity_id=str(consortium.id),
                 after={"lots": [r.code for r in rows], "into": merged.code})
    uow.commit()
    return list_lots(uow=uow, caller=caller, consortium_id=consortium.id)
