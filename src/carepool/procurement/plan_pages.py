"""The lot plan's pages: a consortium's demand, its lots by area, the SME threshold, and splitting and merging
lots before they go into a tender."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import Response

from carepool.core.errors import CarepoolError
from carepool.core.ids import row_number
from carepool.partners import service as partners
from carepool.partners.model import Caller, Role
from carepool.procurement import consortia, coverage, io, service
from carepool.procurement.access import manages
from carepool.procurement.model import SERVICES, DemandLine, quantity
from carepool.web.deps import CallerDep, RowId, UowDep
from carepool.web.flash import attempt, keep_typed, take_flash, typed_back
from carepool.web.rendering import render
from carepool.web.uploads import read_upload, upload_name

router = APIRouter(include_in_schema=False)


def _grid(lots: list[service.StoredLot], uow: UowDep) -> dict[str, Any]:
    """Boroughs down, services across; each cell the lots there, their value and the SME flag."""
    localities = {loc.code: loc for loc in partners.list_localities(uow=uow)}
    councils = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    services = sorted({s.lot.service for s in lots})
    rows: dict[str, dict[str, list[service.StoredLot]]] = {}
    for stored in lots:
        council = localities[stored.lot.localities[0]].council_code if stored.lot.localities[0] in localities else "?"
        rows.setdefault(council, {}).setdefault(stored.lot.service, []).append(stored)
    return {"services": [SERVICES[s] for s in services],
            "rows": [(councils.get(c, c), cells) for c, cells in sorted(rows.items(), key=lambda kv: councils.get(
                kv[0], kv[0]))]}


@router.get("/tenders/plan/{consortium_id}")
def plan(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep) -> Response:
    consortium = consortia.get_consortium(uow=uow, caller=caller, consortium_id=consortium_id)
    lots = service.list_lots(uow=uow, caller=caller, consortium_id=consortium_id)
    threshold, why = service.sme_threshold_of(uow=uow, caller=caller, consortium_id=consortium_id)
    demand = service.list_demand(uow=uow, caller=caller, consortium_id=consortium_id)
    return render(request, "procurement/plan.html", {
        "consortium": consortium, "lots": lots, "grid": _grid(lots, uow), "threshold": threshold, "why": why,
        "demand_lines": len(demand), "demand_hours": sum((d.weekly_quantity for d in demand), Decimal(0)),
        "import_question": _import_question(consortium, demand, caller),
        "demand_by_member": Counter(line.member for line in demand),
        "can_manage": manages(caller, consortium.lead_code), "flash": take_flash(request),
        "invitable": consortia.can_be_invited(uow=uow, caller=caller, consortium_id=consortium_id),
        "can_import_own": caller.has(Role.COMMISSIONER, Role.PROCUREMENT),
        "demand_typed": typed_back(request, "demand"), "merge_typed": typed_back(request, "merge") or {},
        "in_live_tender": coverage.plan_lots_already_bought(uow, consortium_id),
        "tendered_lots": service.tendered_lot_count(uow, consortium_id)}, caller=caller)


def _import_question(consortium: consortia.ConsortiumView, demand: list[DemandLine], caller: Caller) -> str:
    """What the import form asks before a file replaces demand on record: whose lines, and how many."""
    names = dict(consortium.members)
    counts = Counter(line.member for line in demand)
    if not manages(caller, consortium.lead_code):
        own = caller.organisation_code
        if not counts[own]:
            return ""
        return (f"Import this file as {names.get(own, own)}'s whole demand? It replaces the {_lines(counts[own])} "
                f"{names.get(own, own)} has on record: any of them not in the file are gone. Other members' lines "
                "stay as they are.")
    if not demand:
        return ""
    on_record = "; ".join(f"{names.get(code, code)} {count:,}" for code, count in sorted(
        counts.items(), key=lambda kv: names.get(kv[0], kv[0])))
    return (f"Import this file? For each member it has lines for, it replaces all that member's lines on record "
            f"(now {on_record}); with \"replace every member's demand\" ticked it replaces all "
            f"{_lines(len(demand))}, and a member not in the file has none.")


@router.post("/tenders/plan/{consortium_id}/demand")
def upload_demand(request: Request, consortium_id: RowId, file: UploadFile, caller: CallerDep,
                  uow: UowDep, replace_all: Annotated[bool, Form()] = False) -> Response:
    def act() -> str:
        service.demand_writer(uow=uow, caller=caller, consortium_id=consortium_id)  # before the file is read
        try:
            demand = read_upload(file, io.read_demand, uow=uow)
            saved = service.save_demand(uow=uow, caller=caller, consortium_id=consortium_id, lines=demand.lines,
                                        problems=demand.problems, incomplete=demand.incomplete,
                                        what=upload_name(file), replace_all=replace_all)
        except CarepoolError:
            keep_typed(request, "demand", {"replace_all": replace_all})  # the panel comes back open, as it was
            raise
        live = coverage.live_tenders_buying(uow, consortium_id, saved.places)
        return _demand_words(upload_name(file), saved, {o.code: o.name for o in partners.list_organisations(uow=uow)},
                             live)
    return attempt(request, act, "Demand imported.", f"/tenders/plan/{consortium_id}")


def _lines(count: int) -> str:
    return f"{count:,} line{'s' if count != 1 else ''}"


def _demand_words(file: str, saved: service.DemandSaved, names: dict[str, str], live: list[str]) -> str:
    """In words: "Imported demand.csv: 1 line for Brent, in place of 7 lines; other members' 31 lines kept."
    and, when a live tender buys some of that demand, that the tender keeps what it was built from."""
    whose = ", ".join(names.get(code, code) for code in saved.members)
    if not saved.changed:
        return (f"{file} holds the demand already on record for {whose} ({_lines(saved.lines)}): nothing "
                "changed, and nothing was saved.")
    kept = f"; other members' {_lines(saved.kept)} kept" if saved.kept else ""
    words = f"Imported {file}: {_lines(saved.lines)} for {whose}, in place of {_lines(saved.replaced)}{kept}."
    if live:
        one = len(live) == 1
        words += (f" {' and '.join(live)} already {'buys' if one else 'buy'} some of this demand; "
                  f"{'it' if one else 'each'} keeps the hours and prices its lots were built from, and the change "
                  "applies to lots built from now on.")
    return words


@router.post("/tenders/plan/{consortium_id}/threshold")
def set_threshold(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
                  hours: Annotated[str, Form()] = "") -> Response:
    def act() -> None:
        stated = quantity(hours, what="SME threshold (hours a week)") if hours.strip() else None
        service.set_sme_threshold(uow=uow, caller=caller, consortium_id=consortium_id, hours=stated)
    return attempt(request, act, "Threshold saved; rebuild the lots to apply it.", f"/tenders/plan/{consortium_id}")


@router.post("/tenders/plan/{consortium_id}/build")
def build(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
          split_big: Annotated[bool, Form()] = False) -> Response:
    return attempt(request, lambda: service.build_lots(uow=uow, caller=caller, consortium_id=consortium_id,
                                                       split_big=split_big),
                   "Lots rebuilt from demand.", f"/tenders/plan/{consortium_id}")


@router.post("/tenders/plan/{consortium_id}/lots/{lot_id}/split")
def split(request: Request, consortium_id: RowId, lot_id: RowId, caller: CallerDep, uow: UowDep,
          parts: Annotated[str, Form()] = "") -> Response:
    def act() -> str:
        text = parts.strip()
        if not text.isascii() or not text.isdigit() or not 2 <= int(text) <= 50:
            raise CarepoolError(f"parts: give the number of parts to split the lot into, 2 to 50, not {parts!r}")
        before = _plan_codes(uow, consortium_id)
        pieces = [s for s in service.split_lot(uow=uow, caller=caller, lot_id=lot_id, parts=int(text))
                  if s.lot.code not in before]
        return f"Lot split into {len(pieces)}: {', '.join(p.lot.code for p in pieces)}.{_too_big(pieces)}"
    return attempt(request, act, "", f"/tenders/plan/{consortium_id}")


def _plan_codes(uow: Any, consortium_id: int) -> set[str]:
    """The codes of the plan's lots before a split or merge, to tell the new lots it returns from the rest (the
    split or merge itself checks who may change the plan)."""
    return {row.code for row in service.lot_rows(uow, consortium_id=consortium_id)}


def _too_big(lots: list[service.StoredLot]) -> str:
    big = [s.lot.code for s in lots if s.lot.too_big_for_sme]
    return f" Still too big for a small provider: {', '.join(big)}." if big else ""


@router.post("/tenders/plan/{consortium_id}/merge")
def merge(request: Request, consortium_id: RowId, caller: CallerDep, uow: UowDep,
          lot_ids: Annotated[list[str] | None, Form()] = None, name: Annotated[str, Form()] = "") -> Response:
    lot_ids = lot_ids or []

    def act() -> str | tuple[str, str]:
        if not lot_ids:  # one ticked is refused by the merge itself, in its words
            raise CarepoolError("tick at least two lots to merge (none was ticked)")
        ids = [row_number(v, what="lots to merge") for v in lot_ids]
        before = _plan_codes(uow, consortium_id)
        merged = [s for s in service.merge_lots(uow=uow, caller=caller, lot_ids=ids, name=name or None)
                  if s.lot.code not in before]
        done = f"Lots merged into {merged[0].lot.code}."
        if merged[0].lot.too_big_for_sme:
            return (f"{done} It is larger than a small provider could take on ({merged[0].lot.weekly_quantity:,} "
                    "hours a week, above the SME threshold), so it is flagged too big.", "warning")
        return done
    return attempt(request, act, "", f"/tenders/plan/{consortium_id}",
                   keep=("merge", {"lot_ids": [v[:12] for v in lot_ids[:200]], "name": name[:200]}))
