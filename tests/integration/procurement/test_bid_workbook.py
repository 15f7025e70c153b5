"""Tom bids on several lots at once from the tender's bid workbook: every row checked first, then all sealed
(each with its receipt) or none."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carepool.procurement import bidding, tendering
from carepool.procurement import service as procurement
from carepool.procurement.tables import BidRow
from tests.integration.helpers import sign_in, token_for
from tests.integration.procurement.conftest import RULES, World

TOM = "bids@a.test"



def _filled(template: bytes, rows: dict[str, list[object]]) -> bytes:
    """The template with figures typed in the rows of the given lots (price, quality, max hours, capacity)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["Bids"]
    for row in sheet.iter_rows(min_row=2):
        for cell, value in zip(row[3:], rows.get(str(row[0].value), []), strict=False):
            cell.value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count(world: World) -> int:
    with world.db.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(BidRow)).scalar_one()


def test_bids_on_many_lots_from_one_workbook(world: World, client: TestClient) -> None:
    ref = world.tender()
    sign_in(client, TOM)
    template = client.get(f"/tenders/{ref}/bid-workbook")
    assert template.status_code == 200 and "spreadsheetml" in template.headers["content-type"]
    lots = [row[0].value for row in openpyxl.load_workbook(io.BytesIO(template.content))["Bids"].iter_rows(min_row=2)]
    assert lots == ["HC-BRENT-KIL", "HC-EALING-ACT", "HC-HF-NORTH"]

    bad = _filled(template.content, {"HC-BRENT-KIL": ["abc", 80], "HC-EALING-ACT": [21.5, 120],
                                     "HC-HF-NORTH": [None, 75]})
    bearer = {"Authorization": f"Bearer {token_for(world.db, TOM)}"}
    refused = client.post(f"/api/procurement/tenders/{ref}/bids/workbook", headers=bearer,
                          files={"file": ("tom-bids.xlsx", bad)})
    assert refused.status_code == 422
    problems = "\n".join([refused.json()["error"], *refused.json()["problems"]])
    assert "tom-bids.xlsx, sheet Bids, row 2, column price_per_hour" in problems
    assert "row 3, column quality: quality must be a score from 0 to 100" in problems
    assert "row 4, column price_per_hour: is empty: a row with figures needs a price" in problems
    assert _count(world) == 0  # nothing half-sealed

    good = _filled(template.content, {"HC-BRENT-KIL": [21.4, 80, 300, 700], "HC-HF-NORTH": ["22.95", 78]})
    page = client.post(f"/tenders/{ref}/bid-workbook", files={"file": ("tom-bids.xlsx", good)})
    assert page.status_code == 200 and "2 bids sealed" in page.text and "Your receipts" in page.text
    with world.db.uow() as uow:
        mine = bidding.my_bids(uow=uow, caller=world.caller(TOM), ref=ref)
    assert {(b.lot_code, b.content.price.plain(), b.content.max_quantity) for b in mine} == {
        ("HC-BRENT-KIL", "21.40", 300), ("HC-HF-NORTH", "22.95", None)}
    assert all(b.receipt.sha256 in page.text.replace("<wbr>", "") for b in mine)

    book = openpyxl.Workbook()
    book.active.title = "Bids"
    book.active.append(["lot", "price_per_hour", "quality"])
    book.active.append(["HC-NOWHERE", 21.0, 80])
    unknown = io.BytesIO()
    book.save(unknown)
    wrong = client.post(f"/api/procurement/tenders/{ref}/bids/workbook", headers=bearer,
                        files={"file": ("tom-bids.xlsx", unknown.getvalue())})
    assert wrong.status_code == 422 and "row 2, column lot: tender" in wrong.json()["error"]
    assert "has no lot HC-NOWHERE" in wrong.json()["error"] and _count(world) == 2


def test_bids_on_forty_lots_come_back_with_every_receipt(world: World, client: TestClient) -> None:
    """The session cookie carries the time the bids were sealed, not their receipts (nor their references): a
    browser drops a cookie over 4 KB, and with it the receipts and the message, so a bidder on many lots saw
    nothing and bid again."""
    lead = world.caller("proc@hf.test")
    with world.db.uow() as uow:
        plan = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    with world.db.uow() as uow:
        procurement.split_lot(uow=uow, caller=lead, lot_id=plan[0].id, parts=38)
    with world.db.uow() as uow:
        lot_ids = [s.id for s in procurement.list_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)]
        ref = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Many lots",
                                      lot_ids=lot_ids, rules=RULES,
                                      deadline=world.clock.now + timedelta(days=14)).ref
    with world.db.uow() as uow:
        tendering.publish(uow=uow, caller=lead, ref=ref)
    sign_in(client, TOM)
    template = client.get(f"/tenders/{ref}/bid-workbook").content
    codes = [str(row[0].value) for row in openpyxl.load_workbook(io.BytesIO(template))["Bids"].iter_rows(min_row=2)]
    assert len(codes) == 40
    page = client.post(f"/tenders/{ref}/bid-workbook",
                       files={"file": ("tom-bids.xlsx", _filled(template, {code: [21.5, 80] for code in codes}))})
    assert page.status_code == 200 and "40 bids sealed" in page.text
    with world.db.uow() as uow:
        mine = bidding.my_bids(uow=uow, caller=world.caller(TOM), ref=ref)
    assert len(mine) == 40 and all(b.receipt.sha256 in page.text.replace("<wbr>", "") for b in mine)
    assert len(client.cookies["carepool_session"]) < 4000
