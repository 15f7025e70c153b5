"""Variations: a change to contributions or rules takes effect only when every partner has approved it.

A user with the commissioner or finance role at a partner proposes; a user with one
of those roles at each partner (the proposer's own organisation included) approves
or rejects for their organisation. One rejection ends it; the last approval applies
it in the same unit of work: the stored terms change, any change in a partner's
total contribution is posted to the ledger, and every step is audited (who, when).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from carepool.audit import service as audit
from carepool.audit.model import canonical_json
from carepool.core.errors import CarepoolError, conflict, forbidden, not_found
from carepool.db.uow import UnitOfWork
from carepool.ledger import service as ledger
from carepool.ledger.model import Posting, TransactionDraft
from carepool.partners.model import Caller
from carepool.pooled_budget import consent
from carepool.pooled_budget.changes import Change, apply_changes, change_to_json, changes_from_json, describe_change
from carepool.pooled_budget.consent import Decision
from carepool.pooled_budget.definition import rule_to_json
from carepool.pooled_budget.model import Agreement
from carepool.pooled_budget.service import (
    StoredAgreement,
    Who,
    contribution_totals,
    get,
    organisation_of,
    require_active,
    require_writer,
)
from carepool.pooled_budget.tables import (
    PoolContributionRow,
    PoolSchemeRow,
    PoolVariationDecisionRow,
    PoolVariationRow,
)

PROPOSED, APPROVED, REJECTED, WITHDRAWN = "proposed", "approved", "rejected", "withdrawn"
# The allowed moves of a variation's status, as data.
TRANSITIONS = {PROPOSED: (APPROVED, REJECTED, WITHDRAWN), APPROVED: (), REJECTED: (), WITHDRAWN: ()}
WORDS = consent.VARIATION
DECISIONS = WORDS.done


@dataclass(frozen=True)
class Variation:
    number: int
    description: str
    changes: tuple[Change, ...]
    lines: tuple[str, ...]  # each change in plain words
    status: str
    proposed_by: str
    proposed_org: str
    proposed_at: datetime
    decided_at: datetime | None
    decisions: tuple[Decision, ...]
    waiting_for: tuple[str, ...]  # partner codes that have not decided yet


def _made(stored: StoredAgreement, decisions: list[PoolVariationDecisionRow]) -> tuple[Decision, ...]:
    return tuple(Decision(d.partner_code, stored.agreement.partner_name(d.partner_code), d.decision, d.decided_by,
                          d.decided_at) for d in decisions)


def _variation(row: PoolVariationRow, stored: StoredAgreement, decisions: list[PoolVariationDecisionRow]) -> Variation:
    agreement = stored.agreement
    changes = tuple(changes_from_json(json.loads(row.changes)))
    made = _made(stored, decisions)
    waiting = consent.waiting_for(agreement.codes, made) if row.status == PROPOSED else ()
    return Variation(row.number, row.description, changes, tuple(describe_change(c, agreement) for c in changes),
                     row.status, row.proposed_by, row.proposed_org, row.proposed_at,
                     row.decided_at if row.decided_at else None, made, waiting)


def _decisions(uow: UnitOfWork, variation_id: int) -> list[PoolVariationDecisionRow]:
    return list(uow.session.execute(select(PoolVariationDecisionRow).where(
        PoolVariationDecisionRow.variation_id == variation_id).order_by(PoolVariationDecisionRow.id)).scalars())


def list_variations(*, uow: UnitOfWork, stored: StoredAgreement) -> list[Variation]:
    rows = uow.session.execute(select(PoolVariationRow).where(PoolVariationRow.agreement_id == stored.id)
                               .order_by(PoolVariationRow.number.desc())).scalars()
    return [_variation(row, stored, _decisions(uow, row.id)) for row in rows]


def _row(uow: UnitOfWork, stored: StoredAgreement, number: int) -> PoolVariationRow:
    row = uow.session.execute(select(PoolVariationRow).where(
        PoolVariationRow.agreement_id == stored.id, PoolVariationRow.number == number)).scalar_one_or_none()
    if row is None:
        raise not_found(f"variation {number} of agreement {stored.id}")
    return row


def propose(*, uow: UnitOfWork, by: Who, agreement_id: int, description: str, changes: list[Change]) -> Variation:
    """Record a proposed variation; it changes nothing until every partner approves it."""
    stored = get(uow=uow, agreement_id=agreement_id, by=by, for_update=True)
    require_writer(stored, by)
    require_active(stored)
    description = description.strip()
    if not 1 <= len(description) <= 2000:
        raise CarepoolError("describe the variation in 1 to 2,000 characters (why it is needed)")
    apply_changes(stored.agreement, changes)  # refuse now what could never take effect
    body = [change_to_json(c) for c in changes]
    same = uow.session.execute(select(PoolVariationRow.number).where(
        PoolVariationRow.agreement_id == stored.id, PoolVariationRow.status == PROPOSED,
        PoolVariationRow.description == description, PoolVariationRow.changes == canonical_json(body))
        .order_by(PoolVariationRow.number)).scalars().first()
    if same is not None:
        raise conflict(f"variation #{same} already proposes this; approve or withdraw it")
    number = (uow.session.execute(select(func.max(PoolVariationRow.number)).where(
        PoolVariationRow.agreement_id == stored.id)).scalar_one() or 0) + 1
    row = PoolVariationRow(agreement_id=stored.id, number=number, description=description,
                           changes=canonical_json(body), status=PROPOSED, proposed_by=by.actor,
                           proposed_org=organisation_of(by, stored), proposed_at=uow.now(), decided_at=None)
    uow.session.add(row)
    uow.session.flush()
    audit.record(uow=uow, actor=by.actor, organisation=row.proposed_org, action="pool.variation_proposed",
                 entity_type="pool_variation", entity_id=f"{stored.id}:{number}",
                 after={"description": description, "changes": body})
    uow.commit()
    return _variation(row, stored, [])


def _move(row: PoolVariationRow, to: str) -> None:
    if to not in TRANSITIONS[row.status]:
        raise conflict(f"variation {row.number} is {row.status}; it cannot become {to}")
    row.status = to


def decide(*, uow: UnitOfWork, by: Who, agreement_id: int, number: int, decision: str) -> Variation:
    """Approve or reject a variation for the caller's organisation; the last approval applies it."""
    caller = consent.decider(by, WORDS)
    consent.check_choice(decision, WORDS)
    stored = get(uow=uow, agreement_id=agreement_id, by=caller, for_update=True)
    require_writer(stored, caller)
    require_active(stored)
    row = _row(uow, stored, number)
    if row.status != PROPOSED:
        raise conflict(f"variation {number} is already {row.status}")
    consent.refuse_second(_made(stored, _decisions(uow, row.id)), caller, WORDS, f"variation {number}")
    uow.session.add(PoolVariationDecisionRow(variation_id=row.id, partner_code=caller.organisation_code,
                                             decision=decision, decided_by=caller.actor, decided_at=uow.now()))
    uow.session.flush()
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code,
                 action=f"pool.variation_{DECISIONS[decision]}", entity_type="pool_variation",
                 entity_id=f"{stored.id}:{number}", after={"partner": caller.organisation_code, "decision": decision})
    made = _decisions(uow, row.id)
    result = consent.outcome(stored.agreement.codes, _made(stored, made), WORDS)
    if result == WORDS.no:
        _move(row, REJECTED)
        row.decided_at = uow.now()
    elif result == WORDS.yes:
        _apply(uow, caller, stored, row)
    uow.commit()
    return _variation(row, stored, made)


def withdraw(*, uow: UnitOfWork, by: Who, agreement_id: int, number: int) -> Variation:
    """The proposing organisation may withdraw a variation that has not been decided."""
    stored = get(uow=uow, agreement_id=agreement_id, by=by, for_update=True)
    require_writer(stored, by)
    require_active(stored)
    row = _row(uow, stored, number)
    if isinstance(by, Caller) and by.organisation_code != row.proposed_org:
        raise forbidden(f"only {stored.agreement.partner_name(row.proposed_org)}, which proposed it, may withdraw "
                        f"variation {number}")
    _move(row, WITHDRAWN)
    row.decided_at = uow.now()
    audit.record(uow=uow, actor=by.actor, organisation=organisation_of(by, stored), action="pool.variation_withdrawn",
                 entity_type="pool_variation", entity_id=f"{stored.id}:{number}")
    uow.commit()
    return _variation(row, stored, _decisions(uow, row.id))


def _effective_day(stored: StoredAgreement, today: date) -> date:
    year = stored.agreement.year
    return min(max(today, year.first_day), year.last_day)


def _apply(uow: UnitOfWork, by: Who, stored: StoredAgreement, row: PoolVariationRow) -> None:
    before = stored.agreement
    try:
        varied = apply_changes(before, changes_from_json(json.loads(row.changes)))
    except CarepoolError as error:
        raise conflict(f"variation {row.number} can no longer take effect: {error.message}; reject it and "
                       "propose it again") from None
    _store_terms(uow, stored, varied)
    old, new = contribution_totals(before), contribution_totals(varied)
    chart = stored.chart
    postings = [p for code in before.codes if new[code] != old[code]
                for p in (Posting(chart.due(code), new[code] - old[code]),
                          Posting(chart.contributions(code), old[code] - new[code]))]
    if postings:
        ledger.post(uow=uow, actor=by.actor, draft=TransactionDraft(
            f"{chart.prefix}:variation:{row.number}", _effective_day(stored, uow.now().date()),
            f"Variation {row.number} to {before.name}: contributions changed", tuple(postings)))
    _move(row, APPROVED)
    row.decided_at = uow.now()
    audit.record(uow=uow, actor=by.actor, organisation=stored.host, action="pool.variation_applied",
                 entity_type="pool_variation", entity_id=f"{stored.id}:{row.number}",
                 before=_terms(before), after=_terms(varied))


def _terms(agreement: Agreement) -> dict[str, object]:
    return {s.id: {"contributions": {c: m.plain() for c, m in s.contributions.items()},
                   "overspend": rule_to_json(s.overspend), "underspend": rule_to_json(s.underspend)}
            for s in agreement.schemes}


def _store_terms(uow: UnitOfWork, stored: StoredAgreement, varied: Agreement) -> None:
    for scheme in varied.schemes:
        row_id = stored.scheme_rows[scheme.id]
        scheme_row = uow.session.get(PoolSchemeRow, row_id)
        assert scheme_row is not None
        scheme_row.overspend_rule = canonical_json(rule_to_json(scheme.overspend))
        scheme_row.underspend_rule = canonical_json(rule_to_json(scheme.underspend))
        existing = {c.partner_code: c for c in uow.session.execute(select(PoolContributionRow).where(
            PoolContributionRow.scheme_row_id == row_id)).scalars()}
        for code, amount in scheme.contributions.items():
            if code in existing:
                existing[code].amount = amount
            else:
                uow.session.add(PoolContributionRow(scheme_row_id=row_id, partner_code=code, amount=amount))
    uow.session.flush()

