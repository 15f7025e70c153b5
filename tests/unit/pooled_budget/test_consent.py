"""Every partner agrees: the rule variations and new agreements share, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carepool.core.errors import CarepoolError
from carepool.partners.model import Caller, Role
from carepool.pooled_budget import consent
from carepool.pooled_budget.consent import AGREEMENT, VARIATION, Decision
from carepool.pooled_budget.model import AGREEMENT_TRANSITIONS, AgreementStatus

AT = datetime(2025, 3, 17, 10, 0, tzinfo=UTC)
CODES = ["E09000005", "QRV", "E09000013"]
MARCUS = Caller(2, "marcus@icb.test", "Marcus", "QRV", "NHS North West London ICB", frozenset({Role.FINANCE}))


def _said(partner: str, decision: str) -> Decision:
    return Decision(partner, partner, decision, f"user:{partner}", AT)


def test_it_takes_effect_when_every_partner_says_yes_and_ends_at_the_first_no() -> None:
    brent = _said("E09000005", "accept")
    assert consent.outcome(CODES, [brent], AGREEMENT) is None
    assert consent.waiting_for(CODES, [brent]) == ("QRV", "E09000013")
    assert consent.outcome(CODES, [brent, _said("QRV", "accept"), _said("E09000013", "accept")], AGREEMENT) == "accept"
    assert consent.outcome(CODES, [brent, _said("E09000013", "decline")], AGREEMENT) == "decline"
    assert consent.outcome(CODES[:2], [_said("QRV", "approve"), _said("E09000005", "approve")], VARIATION) == "approve"


def test_a_partner_decides_once_through_one_of_its_people() -> None:
    made = [_said("QRV", "accept")]
    with pytest.raises(CarepoolError, match=r"NHS North West London ICB already accepted agreement 3 \(user:QRV, "
                                            r"2025-03-17 10:00\)"):
        consent.refuse_second(made, MARCUS, AGREEMENT, "agreement 3")
    consent.refuse_second([_said("E09000005", "accept")], MARCUS, AGREEMENT, "agreement 3")  # Brent's is not his
    with pytest.raises(CarepoolError, match="decision: expected accept or decline, got 'approve'"):
        consent.check_choice("approve", AGREEMENT)
    with pytest.raises(CarepoolError, match="an agreement is accepted or declined by a user of a partner"):
        consent.decider(object(), AGREEMENT)
    assert consent.decider(MARCUS, VARIATION) is MARCUS


def test_an_agreement_moves_only_forward() -> None:
    assert AGREEMENT_TRANSITIONS[AgreementStatus.PROPOSED] == (AgreementStatus.ACTIVE, AgreementStatus.DECLINED)
    assert AGREEMENT_TRANSITIONS[AgreementStatus.DECLINED] == ()
    assert AGREEMENT_TRANSITIONS[AgreementStatus.SETTLED] == ()
    assert set(AGREEMENT_TRANSITIONS) == set(AgreementStatus)
