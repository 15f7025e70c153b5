"""Agreements to store: the settle contract plus client groups; rules stored as canonical JSON."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from carepool.core.errors import CarepoolError
from carepool.pooled_budget.definition import (
    agreement_to_json,
    definition_from_json,
    read_definition,
    rule_to_json,
)
from carepool.pooled_budget.io import rule_from_json, write_template
from tests.unit.pooled_budget.pool_builders import COUNCIL, ICB, fill_workbook, herefordshire, m

RULES = [
    ("overspend", {"rule": "proportional"}),
    ("overspend", {"rule": "fixed", "shares": {COUNCIL: "0.6", ICB: "0.4"}}),
    ("overspend", {"rule": "lead", "partner": ICB}),
    ("overspend", {"rule": "capped", "base": "proportional", "caps": {ICB: "25000.00"}, "excess": "unallocated"}),
    ("overspend", {"rule": "capped", "base": {"shares": {COUNCIL: "0.5", ICB: "0.5"}}, "caps": {ICB: "1.00"},
                   "excess": "host"}),
    ("underspend", {"rule": "carry_forward"}),
]


@pytest.mark.parametrize(("side", "rule"), RULES)
def test_rules_round_trip_through_canonical_json(side: str, rule: dict[str, object]) -> None:
    assert rule_to_json(rule_from_json(rule, side=side)) == rule


def test_json_may_carry_client_groups_and_leave_out_actual() -> None:
    data = herefordshire()
    data["schemes"][0]["client_group"] = "Older people"
    del data["schemes"][0]["actual"]
    definition = definition_from_json(data)
    assert definition.client_group("ICES") == "Older people"
    assert definition.agreement.schemes[0].actual == m("0") and definition.given_actual == m("0")
    assert definition_from_json(agreement_to_json(definition)) == definition
    data["schemes"][0]["client_group"] = 7
    with pytest.raises(CarepoolError, match="scheme ICES, field client_group"):
        definition_from_json(data)


def test_settle_file_with_actual_is_read_and_the_actual_reported_not_loaded() -> None:
    definition = definition_from_json(herefordshire())
    assert definition.given_actual == m("590000") and definition.agreement.schemes[0].actual == m("0")


def test_workbook_with_a_client_group_column_and_empty_actual(tmp_path: Path) -> None:
    path = tmp_path / "pool.xlsx"
    write_template(path)
    fill_workbook(path, herefordshire())
    book = openpyxl.load_workbook(path)
    sheet = book["Schemes"]
    header = [cell.value for cell in sheet[1]]
    assert "client_group" in header  # the template has the column the register needs
    sheet.cell(row=2, column=header.index("client_group") + 1, value="Physical disability")
    sheet.cell(row=2, column=3, value=None)  # actual
    book.save(path)
    definition = read_definition(path)
    assert definition.client_group("ICES") == "Physical disability"
    assert definition.agreement.schemes[0].budget == m("564000")
    assert definition.agreement.contingency is not None
