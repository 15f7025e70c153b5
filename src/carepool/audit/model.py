"""Audit events and the hash chain that makes tampering visible."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling for a JSON value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


REF_LENGTH = 12


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: datetime
    actor: str
    organisation: str | None
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    stored_hash: str | None = field(default=None, compare=False)  # set once stored; not part of what it hashes

    @property
    def ref(self) -> str:
        """How an event is named to its readers: the start of its chain hash. Its number (``seq``) is its place in
        the one chain of every organisation, so two numbers would tell a provider how much others did in between
        (how many bids were sealed, say); the hash tells nothing of that."""
        return (self.stored_hash or "")[:REF_LENGTH]

    def canonical(self) -> str:
        return canonical_json(
            {
                "seq": self.seq,
                "at": self.at.isoformat(),
                "actor": self.actor,
                "organisation": self.organisation,
                "action": self.action,
                "entity_type": self.entity_type,
                "entity_id": self.entity_id,
                "before": self.before,
                "after": self.after,
            }
        )


def chain_hash(previous_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((previous_hash + event.canonical()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    action: str
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq} ({self.action}): {self.reason}"


def find_break(stored: list[tuple[AuditEvent, str, str]]) -> ChainBreak | None:
    """Walk (event, stored previous hash, stored hash) in order; return the first break."""
    expected_previous = GENESIS_HASH
    expected_seq = 1
    for event, previous_hash, stored_hash in stored:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, "?", f"missing: the chain jumps to event {event.seq}")
        if previous_hash != expected_previous:
            return ChainBreak(event.seq, event.action, "does not link to the event before it")
        if chain_hash(previous_hash, event) != stored_hash:
            return ChainBreak(event.seq, event.action, "its contents do not match its hash")
        expected_previous = stored_hash
        expected_seq += 1
    return None


def actor_label(actor: str) -> str:
    """Who an audit actor is, as a person reads it: ``user:priya@brent.demo`` is priya@brent.demo, ``cli:ops`` is
    ops (command line)."""
    kind, _, who = actor.partition(":")
    if kind == "user" and who:
        return who
    if kind == "cli" and who:
        return f"{who} (command line)"
    return actor


def action_label(action: str) -> str:
    """An action as words: ``pool.variation_applied`` is "Pool: variation applied"."""
    subject, _, verb = action.partition(".")
    subject = subject.replace("_", " ").capitalize()
    return f"{subject}: {verb.replace('_', ' ')}" if verb else subject


def record_label(entity_type: str, entity_id: str) -> str:
    """A record as words: ``pool_agreement`` 1 is "Pool agreement 1"."""
    return f"{entity_type.replace('_', ' ').capitalize()} {entity_id}"
