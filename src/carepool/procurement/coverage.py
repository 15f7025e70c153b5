"""Which demand is already being bought: the same service in the same locality is in one live tender at a time,
and demand under a contract still running is flagged (tendering it again is for when that contract ends)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from carepool.core.errors import conflict
from carepool.core.words import joined
from carepool.db.uow import UnitOfWork
from carepool.procurement import service
from carepool.procurement.model import LIVE_TENDERS, TenderStatus
from carepool.procurement.tables import ConsortiumRow, ContractRow, LotRow, TenderRow

Place = tuple[str, str]  # (service, locality)


@dataclass(frozen=True)
class LiveLot:
    code: str
    tender_ref: str
    tender_status: str  # "published", or "under contract until 2030-12-13"
    ends: date | None = None  # when its contracts end, for a contracted tender's lot


def _coverage(row: LotRow) -> set[Place]:
    """The demand a lot buys: its service in each of its localities (a split part or a merged lot keeps them)."""
    return {(row.service, locality) for locality in row.localities.split(",") if locality}


@dataclass(frozen=True)
class AlreadyBought:
    """Every lot of a live tender, or of a contract still running, that buys some of a plan lot's demand: the parts
    of one split lot are often all in the same tender, and each is named."""

    lots: tuple[LiveLot, ...]  # by tender, then code

    def __str__(self) -> str:
        """In words: "already in CP-2026-001 (published) as HC-BRENT-HAR-1 and HC-BRENT-HAR-2"."""
        by_tender: dict[tuple[str, str], list[str]] = {}
        for lot in self.lots:
            by_tender.setdefault((lot.tender_ref, lot.tender_status), []).append(lot.code)
        return "already " + "; ".join(f"in {ref} ({status}) as {joined(codes)}"
                                      for (ref, status), codes in by_tender.items())


Taken = dict[Place, list[LiveLot]]  # (service, locality) -> every lot that buys it


def _taken(found: list[tuple[LotRow, LiveLot]]) -> Taken:
    taken: Taken = {}
    for row, lot in found:
        for place in _coverage(row):
            taken.setdefault(place, []).append(lot)
    return taken


def live_coverage(uow: UnitOfWork, consortium_id: int, *, except_tender: int | None = None) -> Taken:
    """(service, locality) -> the lots of live tenders that buy it, for the consortium's live tenders."""
    query = (select(LotRow, TenderRow.ref, TenderRow.status).join(TenderRow, LotRow.tender_id == TenderRow.id)
             .where(LotRow.consortium_id == consortium_id, TenderRow.status.in_([s.value for s in LIVE_TENDERS]))
             .order_by(LotRow.code))
    if except_tender is not None:
        query = query.where(TenderRow.id != except_tender)
    return _taken([(lot, LiveLot(lot.code, ref, status)) for lot, ref, status in uow.session.execute(query)])


def live_tenders_buying(uow: UnitOfWork, consortium_id: int, places: Iterable[Place]) -> list[str]:
    """The references of the consortium's live tenders with a lot buying any of ``places``."""
    taken = live_coverage(uow, consortium_id)
    return sorted({lot.tender_ref for place in places for lot in taken.get(place, [])})


def contracted_coverage(uow: UnitOfWork, consortium_id: int, today: date) -> Taken:
    """(service, locality) -> the lots of contracted tenders whose contracts on them run past ``today``."""
    query = (select(LotRow, TenderRow.ref, func.max(ContractRow.end_date))
             .join(TenderRow, LotRow.tender_id == TenderRow.id).join(ContractRow, ContractRow.lot_id == LotRow.id)
             .where(LotRow.consortium_id == consortium_id, TenderRow.status == TenderStatus.CONTRACTED.value)
             .group_by(LotRow.id, TenderRow.ref).having(func.max(ContractRow.end_date) >= today)
             .order_by(LotRow.code))
    return _taken([(lot, LiveLot(lot.code, ref, f"under contract until {ends:%Y-%m-%d}", ends))
                   for lot, ref, ends in uow.session.execute(query)])


def overlap(rows: list[LotRow], taken: Taken) -> dict[str, AlreadyBought]:
    """Lot code -> every lot already buying some of the same demand, for each of ``rows`` that overlaps."""
    found = {}
    for row in rows:
        hits = {lot for place in _coverage(row) for lot in taken.get(place, [])}
        if hits:
            found[row.code] = AlreadyBought(tuple(sorted(hits, key=lambda lot: (lot.tender_ref, lot.code))))
    return found


def plan_lots_already_bought(uow: UnitOfWork, consortium_id: int) -> dict[str, AlreadyBought]:
    """Lot code -> the lots of live tenders, and of contracts still running, already buying its demand, for the
    lots of the consortium's plan."""
    taken = contracted_coverage(uow, consortium_id, uow.now().date())
    for place, lots in live_coverage(uow, consortium_id).items():
        taken.setdefault(place, []).extend(lots)
    return overlap(service.lot_rows(uow, consortium_id=consortium_id), taken)


def check_not_live_elsewhere(uow: UnitOfWork, consortium_id: int, rows: list[LotRow], *, tender_id: int) -> None:
    """The same demand (a service in a locality) is in one live tender at a time, whatever the lots are called:
    a plan rebuilt, split or merged while a tender runs has that demand again, and tendering it twice would
    buy the same care twice. The consortium's row is locked first, so two such checks run one at a time. The
    refusal names every lot in the way."""
    uow.session.execute(select(ConsortiumRow.id).where(ConsortiumRow.id == consortium_id).with_for_update())
    found = overlap(rows, live_coverage(uow, consortium_id, except_tender=tender_id))
    if not found:
        return
    said, tenders, in_the_way = [], [], 0
    for code, already in found.items():
        by_tender: dict[tuple[str, str], list[str]] = {}
        for lot in already.lots:
            by_tender.setdefault((lot.tender_ref, lot.tender_status), []).append(lot.code)
        where = []
        for (ref, status), codes in by_tender.items():
            where.append(f"{'lot' if len(codes) == 1 else 'lots'} {joined(codes)} of tender {ref} ({status})")
            tenders.append(ref)
            in_the_way += len(codes)
        said.append(f"lot {code} buys demand already in {joined(where)}")
    refs = list(dict.fromkeys(tenders))
    lots = "that lot" if in_the_way == 1 else "those lots"
    raise conflict(f"{'; '.join(said)}; the same demand cannot be tendered twice at once: take {lots} out of "
                   f"{joined(refs)} or cancel {'it' if len(refs) == 1 else 'them'} first")


def check_after_running_contracts(uow: UnitOfWork, consortium_id: int, rows: list[LotRow],
                                  contract_start: date | None) -> None:
    """Demand under a contract still running may be tendered again only for when that contract ends: the new
    tender's contracts must start after it, or the same care would be bought twice over the years they overlap.
    The refusal names every lot in the way, and a start after the last of their contracts ends."""
    said, last = [], date.min
    for code, already in overlap(rows, contracted_coverage(uow, consortium_id, uow.now().date())).items():
        running = max(already.lots, key=lambda lot: lot.ends or date.min)  # the last to end
        if running.ends is not None and (contract_start is None or contract_start <= running.ends):
            said.append(f"lot {code} buys demand under contract in {running.tender_ref} (as {running.code}) until "
                        f"{running.ends:%Y-%m-%d}")
            last = max(last, running.ends)
    if said:
        after = last + timedelta(days=1)
        raise conflict(f"{'; '.join(said)}: set the contracts to start on {after:%Y-%m-%d} or later, so they follow "
                       f"the running ones, or leave {'that lot' if len(said) == 1 else 'those lots'} out")
