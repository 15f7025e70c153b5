"""Sealed bids, pure: one canonical JSON spelling of a bid and its SHA-256.

The provider's receipt carries the hash of the canonical text and the server time.
At opening the stored text is hashed again and compared with the receipt (and with the
hash recorded in the audit chain at submission), so a bid altered in the database after
submission is caught. A random nonce is part of the text: prices come from a small range,
and without it anyone who saw a receipt could find the price by hashing guesses.

A bid is named outside the database by a random reference (``B-7K3M9Q2XDA``), never by its row
number: numbers count up across every tender, so a provider comparing two of its own would learn
how many bids others sealed in between.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement.model import BidContent, quantity

FORMAT = "carepool-sealed-bid/1"
# Crockford's base32: digits and capitals without I, L, O and U, so a reference read out or copied by hand
# survives; 10 characters are 50 random bits.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE = re.compile(r"B-[0-9A-HJKMNP-TV-Z]{10}")  # a whole reference: use fullmatch
_MISREAD = str.maketrans("ILO", "110")


def new_reference() -> str:
    """A fresh public reference for a bid, e.g. ``B-7K3M9Q2XDA``: random, so it tells nothing of other bids."""
    return "B-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


def clean_reference(text: str) -> str | None:
    """A bid reference as typed, in its one spelling (capitals, and I or L read as 1, O as 0, as Crockford's
    base32 reads them), or None when it cannot be one: no bid has it, and no database need be asked."""
    cleaned = text.strip().upper()
    if cleaned.startswith("B-"):
        cleaned = "B-" + cleaned[2:].translate(_MISREAD)
    return cleaned if REFERENCE.fullmatch(cleaned) else None


@dataclass(frozen=True)
class Envelope:
    """A bid as sealed: who, where, when, and what (the content)."""

    tender: str
    tender_version: int
    lot: str
    provider: str
    submitted_at: datetime
    content: BidContent
    nonce: str


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def canonical(envelope: Envelope) -> str:
    """The one spelling of a bid: sorted keys, no spaces, amounts as text with 2 decimals."""
    content = envelope.content
    body: dict[str, Any] = {
        "format": FORMAT,
        "tender": envelope.tender,
        "tender_version": envelope.tender_version,
        "lot": envelope.lot,
        "provider": envelope.provider,
        "submitted_at": envelope.submitted_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "price_per_unit": content.price.plain(),
        "quality": _decimal(content.quality),
        "max_quantity": _decimal(content.max_quantity),
        "capacity": _decimal(content.capacity),
        "nonce": envelope.nonce,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(*, tender: str, tender_version: int, lot: str, provider: str, submitted_at: datetime,
         content: BidContent, nonce: str | None = None) -> tuple[str, str]:
    """The canonical text of a new bid and its SHA-256 (the receipt hash)."""
    envelope = Envelope(tender, tender_version, lot, provider, submitted_at, content,
                        nonce or secrets.token_hex(16))
    text = canonical(envelope)
    return text, sha256(text)


def matches(text: str, expected: str) -> bool:
    """True when ``text`` hashes to ``expected`` (compared in constant time)."""
    return hmac.compare_digest(sha256(text), expected)


def unseal(text: str) -> Envelope:
    """Read a sealed text back; a malformed one is an error naming what is wrong."""
    try:
        body = json.loads(text)
        if body.get("format") != FORMAT:
            raise ValueError(f"unknown format {body.get('format')!r}")
        max_quantity, capacity = body.get("max_quantity"), body.get("capacity")
        content = BidContent(
            price=Money.parse(body["price_per_unit"], what="price_per_unit"),
            quality=quantity(body["quality"], what="quality", zero_ok=True),
            max_quantity=None if max_quantity is None else quantity(max_quantity, what="max_quantity"),
            capacity=None if capacity is None else quantity(capacity, what="capacity"),
        )
        return Envelope(tender=str(body["tender"]), tender_version=int(body["tender_version"]),
                        lot=str(body["lot"]), provider=str(body["provider"]),
                        submitted_at=datetime.fromisoformat(body["submitted_at"]), content=content,
                        nonce=str(body["nonce"]))
    except (ValueError, KeyError, TypeError, AttributeError, CarepoolError) as error:
        raise CarepoolError(f"sealed bid cannot be read: {error}") from None
