"""A new agreement binds a partner only once that partner has signed it, as a Section 75 agreement does.

A commissioner or finance user of one partner proposes an agreement; their organisation accepts it by
proposing it (the command line's operator, who is no partner, proposes it for nobody). It is stored as
``proposed``: only its partners see it, it is not on the public register, and no ledger account is opened.
A commissioner or finance user of each other partner accepts it, or declines it with a reason, for their
own organisation, under the same rule as variations (``consent``). One decline ends it (``declined``); the
last acceptance makes it ``active`` in the same unit of work: its ledger accounts are opened and each
partner's contribution is posted as due. Every step is an audit event recorded against the acting
organisation. Partner names are the partner directory's, whatever the file calls them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from carepool.audit import service as audit
from carepool.audit.model import canonical_json
from carepool.core.errors import CarepoolError, conflict, forbidden
from carepool.db.uow import UnitOfWork
from carepool.ledger import service as ledger
from carepool.ledger.model import AccountType, Posting, TransactionDraft
from carepool.partners import service as partners
from carepool.partners.model import Caller
from carepool.pooled_budget import consent
from carepool.pooled_budget.consent import Decision
from carepool.pooled_budget.definition import PoolDefinition, agreement_to_json, rule_to_json
from carepool.pooled_budget.model import Agreement, Partner
from carepool.pooled_budget.service import (
    ACTIVE,
    DECLINED,
    PROPOSED,
    WRITE_ROLES,
    Chart,
    StoredAgreement,
    Who,
    contribution_totals,
    get,
    move_status,
    require_writer,
)
from carepool.pooled_budget.tables import (
    PoolAgreementDecisionRow,
    PoolAgreementRow,
    PoolContributionRow,
    PoolPartnerRow,
    PoolSchemeRow,
)
from carepool.pooled_budget.validation import ensure_valid

WORDS = consent.AGREEMENT
MOST_REASON = 500


@dataclass(frozen=True)
class Created:
    """A proposed agreement, and what was taken otherwise than the file had it (a partner's name)."""

    stored: StoredAgreement
    notices: tuple[str, ...] = ()


# --- proposing -----------------------------------------------------------------------

def _account_part(text: str) -> str:
    part = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").upper()
    return part or "SCHEME"


def _spend_parts(agreement: Agreement) -> dict[str, str]:
    parts: dict[str, str] = {}
    for scheme in agreement.schemes:
        part, n = _account_part(scheme.id), 2
        while part in parts.values():
            part, n = f"{_account_part(scheme.id)}-{n}", n + 1
        parts[scheme.id] = part
    return parts


def _directory_names(uow: UnitOfWork, agreement: Agreement) -> tuple[Agreement, list[str]]:
    """The agreement with each partner named as in the partner directory; a notice for each name that differed.
    A code the directory does not know is refused: an agreement is made between organisations it knows."""
    named, missing, notices = [], [], []
    for partner in agreement.partners:
        try:
            organisation = partners.get_organisation(uow=uow, code=partner.code)
        except CarepoolError:
            missing.append(partner.code)
            continue
        if " ".join(partner.name.split()) != organisation.name:
            notices.append(f"Partner {partner.code} is named as in the partner directory, {organisation.name}; "
                           f"the file called it {partner.name!r}.")
        named.append(Partner(partner.code, organisation.name))
    if missing:
        raise CarepoolError(f"partner {', '.join(missing)} is not in the partner directory; import the "
                            "organisation first (carepool orgs import)", kind="not_found")
    return dataclasses.replace(agreement, partners=tuple(named)), notices


def _check_new(uow: UnitOfWork, by: Who, agreement: Agreement) -> tuple[Agreement, list[str]]:
    if isinstance(by, Caller):
        by.require(*WRITE_ROLES)
    ensure_valid(agreement)
    if isinstance(by, Caller) and by.organisation_code not in agreement.codes:
        raise forbidden(f"{by.organisation_name} is not a partner of this agreement; an agreement is "
                        "proposed by one of its partners")
    named, notices = _directory_names(uow, agreement)
    too_long = [s.id for s in agreement.schemes if len(s.id) > 60 or len(s.name) > 200]
    if len(agreement.name) > 200 or too_long:
        raise CarepoolError("names are at most 200 characters and scheme ids at most 60"
                            + (f" (scheme {too_long[0]})" if too_long else ""))
    return named, notices


def create(*, uow: UnitOfWork, by: Who, definition: PoolDefinition) -> Created:
    """Store a proposed agreement, accepted by the proposer's organisation; nothing is opened, posted or published
    until every other partner has accepted it too."""
    agreement, notices = _check_new(uow, by, definition.agreement)
    definition = dataclasses.replace(definition, agreement=agreement)
    row = PoolAgreementRow(name=agreement.name, year_start=agreement.year.start, host=agreement.host,
                           offset_across_schemes=agreement.offset_across_schemes,
                           contingency_amount=agreement.contingency.amount if agreement.contingency else None,
                           status=PROPOSED, created_at=uow.now(), created_by=by.actor)
    uow.session.add(row)
    uow.session.flush()
    chart = Chart(row.id)
    funded = agreement.contingency.funded if agreement.contingency else {}
    for position, partner in enumerate(agreement.partners):
        uow.session.add(PoolPartnerRow(agreement_id=row.id, code=partner.code, name=partner.name,
                                       position=position, contingency_funding=funded.get(partner.code)))
    parts = _spend_parts(agreement)
    for position, scheme in enumerate(agreement.schemes):
        scheme_row = PoolSchemeRow(agreement_id=row.id, scheme_id=scheme.id, name=scheme.name,
                                   client_group=definition.client_group(scheme.id), position=position,
                                   overspend_rule=canonical_json(rule_to_json(scheme.overspend)),
                                   underspend_rule=canonical_json(rule_to_json(scheme.underspend)),
                                   spend_account=chart.spend(parts[scheme.id]))
        uow.session.add(scheme_row)
        uow.session.flush()
        for code, amount in scheme.contributions.items():
            uow.session.add(PoolContributionRow(scheme_row_id=scheme_row.id, partner_code=code, amount=amount))
    proposer = by.organisation_code if isinstance(by, Caller) else None
    if proposer is not None:  # the proposer's organisation signs by proposing
        uow.session.add(PoolAgreementDecisionRow(agreement_id=row.id, partner_code=proposer, decision=WORDS.yes,
                                                 decided_by=by.actor, decided_at=uow.now(), reason=""))
    audit.record(uow=uow, actor=by.actor, organisation=proposer, action="pool.agreement_proposed",
                 entity_type="pool_agreement", entity_id=str(row.id),
                 after={**agreement_to_json(definition), "accepted_by": [proposer] if proposer else [],
                        "notices": notices})
    uow.commit()
    return Created(get(uow=uow, agreement_id=row.id, by=by), tuple(notices))


# --- accepting and declining -----------------------------------------------------------

def decide(*, uow: UnitOfWork, by: Who, agreement_id: int, decision: str, reason: str = "") -> StoredAgreement:
    """Accept (``accept``) or decline (``decline``, with a reason) a proposed agreement for the caller's own
    organisation; the last partner's acceptance makes it active and opens its accounts."""
    caller = consent.decider(by, WORDS)
    consent.check_choice(decision, WORDS)
    stored = get(uow=uow, agreement_id=agreement_id, by=caller, for_update=True)  # not found for a non-partner
    require_writer(stored, caller)
    a = stored.agreement
    consent.refuse_second(stored.decisions, caller, WORDS, f"agreement {stored.id}, {a.name}")
    if not stored.proposed:
        refused = stored.declined_by
        if stored.status == DECLINED and refused is not None:
            raise conflict(f"{a.name} ({a.year}) was declined by {refused.partner_name} ({refused.reason}); it "
                           "cannot be accepted or declined any more: propose it again")
        raise conflict(f"{a.name} ({a.year}) is {stored.status}: every partner has accepted it already")
    reason = " ".join(reason.split()) if decision == WORDS.no else ""
    if decision == WORDS.no and not 1 <= len(reason) <= MOST_REASON:
        raise CarepoolError(f"reason: expected why {caller.organisation_name} declines {a.name}, in 1 to "
                            f"{MOST_REASON} characters (e.g. \"our contribution is £4,000,000, not £5,000,000\"), "
                            f"got {len(reason)} characters")
    at = uow.now()
    uow.session.add(PoolAgreementDecisionRow(agreement_id=stored.id, partner_code=caller.organisation_code,
                                             decision=decision, decided_by=caller.actor, decided_at=at,
                                             reason=reason))
    uow.session.flush()
    audit.record(uow=uow, actor=caller.actor, organisation=caller.organisation_code,
                 action=f"pool.agreement_{WORDS.done[decision]}", entity_type="pool_agreement",
                 entity_id=str(stored.id),
                 after={"partner": caller.organisation_code, "decision": decision, **({"reason": reason} if reason
                                                                                     else {})})
    made = (*stored.decisions, Decision(caller.organisation_code, caller.organisation_name, decision, caller.actor,
                                        at, reason))
    row = uow.session.get(PoolAgreementRow, stored.id)
    assert row is not None
    result = consent.outcome(a.codes, made, WORDS)
    if result == WORDS.no:
        move_status(row, DECLINED)
    elif result == WORDS.yes:
        _activate(uow, caller, stored)
        move_status(row, ACTIVE)
    uow.commit()
    return get(uow=uow, agreement_id=stored.id, by=caller)


def _activate(uow: UnitOfWork, by: Caller, stored: StoredAgreement) -> None:
    """Every partner has signed: open the agreement's accounts (owned by the host, which hosts the pool) and post
    each partner's contribution as due; recorded against the organisation whose acceptance completed it."""
    agreement, chart = stored.agreement, stored.chart
    label = f"{agreement.name} {agreement.year}"
    accounts = [(chart.bank, f"Pool bank: {label}", AccountType.ASSET, True),
                (chart.creditors, f"Spend payable from the pool: {label}", AccountType.LIABILITY, False)]
    for p in agreement.partners:
        accounts += [
            (chart.due(p.code), f"Contribution due from {p.name}: {label}", AccountType.ASSET, False),
            (chart.contributions(p.code), f"Contribution of {p.name}: {label}", AccountType.INCOME, False),
            (chart.risk_share(p.code), f"Risk share of {p.name}: {label}", AccountType.INCOME, False),
            (chart.settlement(p.code), f"Year-end settlement with {p.name}: {label}", AccountType.ASSET, False),
        ]
    accounts += [(stored.spend_accounts[s.id], f"Spend on {s.name}: {label}", AccountType.EXPENSE, False)
                 for s in agreement.schemes]
    for code, name, kind, guard in accounts:
        ledger.open_account(uow=uow, actor=by.actor, owner=agreement.host, code=code, name=name[:200], type=kind,
                            opened_on=agreement.year.first_day, no_overdraft=guard)
    totals = contribution_totals(agreement)
    postings = [p for code in agreement.codes if totals[code]
                for p in (Posting(chart.due(code), totals[code]), Posting(chart.contributions(code), -totals[code]))]
    ledger.post(uow=uow, actor=by.actor, draft=TransactionDraft(
        f"{chart.prefix}:contributions", agreement.year.first_day,
        f"Contributions due to {agreement.name} {agreement.year}", tuple(postings)))
    audit.record(uow=uow, actor=by.actor, organisation=by.organisation_code, action="pool.agreement_activated",
                 entity_type="pool_agreement", entity_id=str(stored.id),
                 after={"accepted_by": agreement.codes, "accounts": f"{chart.prefix}:*",
                        "contributions_due": {code: totals[code].plain() for code in agreement.codes}})
