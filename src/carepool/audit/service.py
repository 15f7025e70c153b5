"""Record audit events inside the caller's unit of work, and verify the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select

from carepool.audit.model import GENESIS_HASH, AuditEvent, ChainBreak, canonical_json, chain_hash, find_break
from carepool.audit.tables import AuditChainHeadRow, AuditEventRow
from carepool.db.uow import UnitOfWork


def _jsonable(value: Any) -> Any:
    return json.loads(canonical_json(value))


def record(
    *,
    uow: UnitOfWork,
    actor: str,
    organisation: str | None,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event to the chain; it commits with the change it describes."""
    session = uow.session
    head = session.execute(
        select(AuditChainHeadRow).where(AuditChainHeadRow.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHeadRow(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    at = uow.now().astimezone(UTC)
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=at,
        actor=actor,
        organisation=organisation,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    digest = chain_hash(head.last_hash, event)
    session.add(
        AuditEventRow(
            seq=event.seq,
            at=event.at,
            actor=event.actor,
            organisation=event.organisation,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            before_json=canonical_json(event.before),
            after_json=canonical_json(event.after),
            previous_hash=head.last_hash,
            hash=digest,
        )
    )
    head.last_seq = event.seq
    head.last_hash = digest
    return replace(event, stored_hash=digest)


def _event_of(row: AuditEventRow) -> AuditEvent:
    at = row.at
    return AuditEvent(
        seq=row.seq,
        at=at.astimezone(UTC),
        actor=row.actor,
        organisation=row.organisation,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        before=json.loads(row.before_json),
        after=json.loads(row.after_json),
        stored_hash=row.hash,
    )


def _stored_chain(uow: UnitOfWork) -> Iterator[tuple[AuditEvent, str, str]]:
    rows = uow.session.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
    for row in rows:
        yield _event_of(row), row.previous_hash, row.hash


def verify(*, uow: UnitOfWork) -> tuple[int, ChainBreak | None]:
    """Return (number of events checked, first break or None)."""
    chain = list(_stored_chain(uow))
    broken = find_break(chain)
    if broken is None:
        head = uow.session.get(AuditChainHeadRow, 1)
        last_hash = chain[-1][2] if chain else GENESIS_HASH
        if head is not None and (head.last_seq != len(chain) or head.last_hash != last_hash):
            broken = ChainBreak(len(chain) + 1, "?", "events after this point have been removed")
    return len(chain), broken


# Time, not seq: an event's number is its place in the chain, and a clock set back (the demo walks its tender
# from 70 days ago, after loading partners today) appends older times after newer ones.
NEWEST_FIRST = (AuditEventRow.at.desc(), AuditEventRow.seq.desc())


def list_events(
    *, uow: UnitOfWork, organisation: str | None, limit: int = 200, entity_type: str | None = None,
    entity_id: str | None = None, action: str | None = None, ref: str | None = None,
) -> list[AuditEvent]:
    """Newest first by time, then by number; scoped to one organisation's events (None = every event,
    operators only); optionally one kind of record (``entity_type``), one record (with ``entity_id``), one
    ``action`` (``tender.`` ending in a dot: every tender action) or the event a ``ref`` names (its hash's start)."""
    query = select(AuditEventRow).order_by(*NEWEST_FIRST).limit(limit)
    if ref:
        query = query.where(AuditEventRow.hash.startswith(ref.strip().lower(), autoescape=True))
    if organisation is not None:
        query = query.where(AuditEventRow.organisation == organisation)
    if entity_type:
        query = query.where(AuditEventRow.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEventRow.entity_id == entity_id)
    if action:
        query = query.where(AuditEventRow.action.startswith(action, autoescape=True) if action.endswith(".")
                            else AuditEventRow.action == action)
    return [_event_of(row) for row in uow.session.execute(query).scalars()]


def record_history(*, uow: UnitOfWork, records: Sequence[tuple[str, str]], under: Sequence[tuple[str, str]] = (),
                   by: Sequence[str] | None = None, limit: int = 500) -> list[AuditEvent]:
    """Every organisation's events on the given records, newest first: ``records`` are (kind, id) pairs, ``under``
    (kind, id prefix) pairs for the records that belong to one (a pool's schemes ``"3:"``); ``by``, if given,
    keeps the events of those organisations only. Not scoped: the caller must already have checked that whoever
    asks is a party to these records (a pool's partners)."""
    wanted = [(AuditEventRow.entity_type == kind) & (AuditEventRow.entity_id == ident) for kind, ident in records]
    wanted += [(AuditEventRow.entity_type == kind) & AuditEventRow.entity_id.startswith(prefix, autoescape=True)
               for kind, prefix in under]
    if not wanted:
        return []
    query = (select(AuditEventRow).where(or_(*wanted))
             .order_by(*NEWEST_FIRST).limit(limit))
    if by is not None:
        query = query.where(AuditEventRow.organisation.in_(list(by)))
    return [_event_of(row) for row in uow.session.execute(query).scalars()]


def event_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
