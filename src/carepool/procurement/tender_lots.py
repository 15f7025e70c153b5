"""Which lots a published or draft tender buys: lots move between the consortium's lot plan and a tender, one
tender at a time."""

from __future__ import annotations

from sqlalchemy import select

from carepool.core.errors import CarepoolError, conflict, not_found
from carepool.db.uow import UnitOfWork
from carepool.procurement import coverage, service
from carepool.procurement.tables import LotRow, TenderRow


def _codes(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip().upper() for v in values if v.strip()))


def change_lots(uow: UnitOfWork, row: TenderRow, add: list[str], remove: list[str]) -> dict[str, str]:
    """Move lots between the consortium's plan and the tender; a lot is in one tender at most, and a
    tender keeps at least one lot. Returns where each removed lot went."""
    add_codes, remove_codes = _codes(add), _codes(remove)
    if not add_codes and not remove_codes:
        return {}
    if both := sorted(set(add_codes) & set(remove_codes)):
        raise CarepoolError(f"lot {', '.join(both)} is both added and removed; choose one")
    current = {r.code: r for r in service.lot_rows(uow, tender_id=row.id)}
    plan = {r.code: r for r in service.lot_rows(uow, consortium_id=row.consortium_id)}
    for code in remove_codes:
        if code not in current:
            raise not_found(f"lot {code} in tender {row.ref}")
    for code in add_codes:
        if code in current:
            raise conflict(f"lot {code} is already in tender {row.ref}")
        if code not in plan:
            raise _not_in_plan(uow, row, code)
    if len(current) - len(remove_codes) + len(add_codes) < 1:
        raise CarepoolError(f"tender {row.ref} must keep at least one lot")
    coverage.check_not_live_elsewhere(uow, row.consortium_id, [plan[code] for code in add_codes], tender_id=row.id)
    released = {code: service.release_lot(uow, current[code]) for code in remove_codes}
    for code in add_codes:
        plan[code].tender_id = row.id
    uow.session.flush()
    return released


def _not_in_plan(uow: UnitOfWork, row: TenderRow, code: str) -> CarepoolError:
    """Why a lot cannot be added: it is in another tender, or the consortium's plan has no such lot."""
    other = uow.session.execute(
        select(TenderRow.ref).join(LotRow, LotRow.tender_id == TenderRow.id)
        .where(LotRow.consortium_id == row.consortium_id, LotRow.code == code).order_by(TenderRow.id.desc())
    ).scalars().first()
    if other is not None:
        return conflict(f"lot {code} is in tender {other}; a lot can be in one tender only, so add a lot from "
                        "the plan (rebuild the plan from demand to get one)")
    return not_found(f"lot {code} in the lot plan of this consortium")
