from dataclasses import replace
from datetime import UTC, datetime

from carepool.audit.model import GENESIS_HASH, AuditEvent, chain_hash, find_break


def _chain(n: int) -> list[tuple[AuditEvent, str, str]]:
    stored, previous = [], GENESIS_HASH
    for seq in range(1, n + 1):
        event = AuditEvent(seq, datetime(2026, 4, seq, tzinfo=UTC), "user:a@b", "QRV", "thing.done",
                           "thing", str(seq), None, {"amount": f"{seq}00.00"})
        digest = chain_hash(previous, event)
        stored.append((event, previous, digest))
        previous = digest
    return stored


def test_intact_chain_has_no_break() -> None:
    assert find_break(_chain(5)) is None


def test_changed_contents_are_caught_at_that_event() -> None:
    chain = _chain(5)
    event, previous, digest = chain[2]
    chain[2] = (replace(event, after={"amount": "999.00"}), previous, digest)
    broken = find_break(chain)
    assert broken is not None and broken.seq == 3 and "contents" in broken.reason


def test_recomputed_hash_still_breaks_the_next_link() -> None:
    chain = _chain(5)
    event, previous, _ = chain[1]
    forged = replace(event, actor="user:someone@else")
    chain[1] = (forged, previous, chain_hash(previous, forged))
    broken = find_break(chain)
    assert broken is not None and broken.seq == 3 and "link" in broken.reason


def test_removed_event_is_caught() -> None:
    chain = _chain(4)
    del chain[1]
    broken = find_break(chain)
    assert broken is not None and broken.seq == 2
