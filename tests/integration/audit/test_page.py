"""The audit page says what each event changed in plain words, and lists events newest first by time even when
a clock set back (as the demo's is) gives older times to later events."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.core.clock import FixedClock
from carepool.db.engine import Database
from carepool.partners.model import OrgKind
from carepool.web.app import create_app
from tests.integration.helpers import add_organisations, add_user, sign_in, token_for

BRENT = "E09000005"
RECEIPT = "9f2c" * 16
TODAY = datetime.now(UTC).replace(microsecond=0)


def _brent(database: Database) -> Database:
    add_organisations(database, (BRENT, "Brent", OrgKind.LOCAL_AUTHORITY))
    add_user(database, "admin@brent.test", BRENT, "admin")
    return database


def _record(database: Database, action: str, ref: str, **payload: object) -> None:
    with database.uow() as uow:
        audit.record(uow=uow, actor="user:proc@brent.test", organisation=BRENT, action=action,
                     entity_type="tender", entity_id=ref, **payload)
        uow.commit()


def test_each_event_shows_what_changed_in_plain_words(database: Database) -> None:
    _brent(database)
    _record(database, "tender.opened", "CP-2026-003", after={
        "opened": 4, "hash_checked": 5, "annual_value_pence": 123456789,
        "tampered": [{"bid": 7, "provider": "10012345", "problem": "its contents do not match its receipt"}],
        "postings": [["POOL-1:Due:QRV", "19980000.00"], ["POOL-1:Contributions:QRV", "-19980000.00"]]})
    _record(database, "tender.cancelled", "CP-2026-003", before={"status": "closed", "receipt_sha256": RECEIPT},
            after={"status": "cancelled", "receipt_sha256": RECEIPT, "reason": "the budget was withdrawn"})
    _record(database, "tender.savings_split", "CP-2026-003", after={"shapley": {BRENT: "716585.79", "QRV": "-1.00"}})
    with TestClient(create_app(database=database)) as client:
        sign_in(client, "admin@brent.test")
        page = client.get("/audit", params={"entity_type": "tender", "entity_id": "CP-2026-003"}).text
    assert "<summary>Details (5)</summary>" in page and "<summary>What changed (3)</summary>" in page
    assert "<dt>Hash checked</dt><dd>5</dd>" in page and "hash_checked" not in page
    assert "<dt>Annual value pence</dt><dd>123456789</dd>" in page  # numbers as stored
    assert "<dt>Status</dt><dd>closed → cancelled</dd>" in page  # changed: old → new
    assert "<dt>Reason</dt><dd>the budget was withdrawn</dd>" in page  # not recorded before: no old value
    # A long value is cut, its full text one click away; a list of records reads as words.
    assert f"<dt>Receipt sha256</dt><dd><details><summary>{RECEIPT[:47]}…</summary>{RECEIPT}</details>" in page
    assert "bid: 7, problem: its contents do not match its receipt, provider: 10012345" in html.unescape(page)
    assert "<tr><td>POOL-1:Contributions:QRV</td><td>-£19,980,000.00</td></tr>" in page  # records as a table
    # an organisation's code reads as its name (QRV is no organisation here, so it stays a code)
    assert "<dt>Shapley</dt><dd>Brent: £716,585.79, QRV: -£1.00</dd>" in page


def test_newest_first_by_time_on_the_service_the_api_and_the_page(database: Database) -> None:
    clock = FixedClock(TODAY)
    clocked = _brent(Database(database.url, clock=clock))
    _record(clocked, "tender.created", "CP-2026-009")  # today, seq 1 of the tender events
    clock.now = TODAY - timedelta(days=70)  # the demo walks its tender from weeks ago, after loading partners
    _record(clocked, "tender.created", "CP-2026-001")
    clock.advance(days=1)
    _record(clocked, "tender.published", "CP-2026-001")
    _record(clocked, "tender.opened", "CP-2026-001")  # the same instant: the later number first
    expected = [("tender.created", "CP-2026-009"), ("tender.opened", "CP-2026-001"),
                ("tender.published", "CP-2026-001"), ("tender.created", "CP-2026-001")]
    try:
        with clocked.uow() as uow:
            events = audit.list_events(uow=uow, organisation=BRENT, entity_type="tender")
        assert [(e.action, e.entity_id) for e in events] == expected
        by_time = [e.ref for e in events]

        with TestClient(create_app(database=clocked)) as client:
            bearer = {"Authorization": f"Bearer {token_for(clocked, 'admin@brent.test')}"}
            api = client.get("/api/audit/events", params={"entity_type": "tender"}, headers=bearer).json()
            assert [e["ref"] for e in api] == by_time and "seq" not in api[0]
            one = client.get("/api/audit/events", params={"ref": by_time[2].upper()}, headers=bearer).json()
            assert [(e["ref"], e["action"]) for e in one] == [(by_time[2], "tender.published")]  # a ref names one
            sign_in(client, "admin@brent.test")
            page = client.get("/audit", params={"entity_type": "tender"}).text
            alone = client.get("/audit", params={"ref": by_time[0]}).text
        assert re.findall(r'<tr><td class="ref"><a href="/audit\?ref=([0-9a-f]{12})"', page) == by_time
        assert re.findall(r'<tr><td class="ref"><a href="/audit\?ref=([0-9a-f]{12})"', alone) == by_time[:1]
    finally:
        clocked.dispose()
