"""Variations as data: moves and contribution changes, refused when they cannot be made."""

from __future__ import annotations

import pytest

from carepool.core.errors import CarepoolError
from carepool.pooled_budget.changes import (
    MoveContribution,
    SetContribution,
    SetRules,
    apply_changes,
    change_to_json,
    changes_from_json,
    describe_change,
)
from carepool.pooled_budget.model import Lead
from tests.unit.pooled_budget.pool_builders import COUNCIL, ICB, m, pool, scheme


def agreement() -> object:
    return pool(scheme("REAB", {COUNCIL: "500000", ICB: "700000"}, "0", name="Reablement"),
                scheme("ICES", {COUNCIL: "300000", ICB: "300000"}, "0", name="Community equipment"))


def test_move_200k_between_schemes() -> None:
    move = MoveContribution(ICB, "ICES", "REAB", m("200000"))
    varied = apply_changes(agreement(), [move])
    assert varied.schemes[0].contributions[ICB] == m("900000")
    assert varied.schemes[1].contributions[ICB] == m("100000")
    assert describe_change(move, varied) == ("Move £200,000.00 of NHS Herefordshire and Worcestershire ICB's "
                                             "contribution from Community equipment to Reablement")


def test_changes_that_cannot_be_made_are_named() -> None:
    with pytest.raises(CarepoolError, match=r"contributes only £300,000\.00 to Community equipment"):
        apply_changes(agreement(), [MoveContribution(ICB, "ICES", "REAB", m("300000.01"))])
    with pytest.raises(CarepoolError, match="change 1: there is no scheme LDP"):
        apply_changes(agreement(), [SetContribution("LDP", ICB, m("1"))])
    with pytest.raises(CarepoolError, match="E09000005 is not a partner"):
        apply_changes(agreement(), [SetContribution("REAB", "E09000005", m("1"))])
    with pytest.raises(CarepoolError, match="lead partner QXX is not a partner"):
        apply_changes(agreement(), [SetRules("REAB", overspend=Lead("QXX"))])


def test_json_round_trip_and_bad_json_is_named() -> None:
    changes = [MoveContribution(ICB, "ICES", "REAB", m("200000")), SetContribution("REAB", COUNCIL, m("1")),
               SetRules("REAB", overspend=Lead(ICB))]
    assert changes_from_json([change_to_json(c) for c in changes]) == changes
    with pytest.raises(CarepoolError) as error:
        changes_from_json([{"kind": "move", "partner": ICB, "from": "ICES", "to": "REAB", "amount": 2.5},
                           {"kind": "swap"}])
    text = str(error.value)
    assert "changes[0].amount: expected an amount as text" in text and "changes[1].kind" in text
