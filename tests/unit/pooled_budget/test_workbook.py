"""The Excel template: write it, fill it, settle it; bad cells are named by sheet, row and column."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.unit.pooled_budget.pool_builders import COUNCIL, COUNTY, ICB, NAMES, fill_workbook, herefordshire


@pytest.fixture
def template(cli, tmp_path: Path) -> Path:
    path = tmp_path / "agreement.xlsx"
    run = cli("pool", "template", "--out", path)
    assert run.code == 0, run.err
    return path


def _edit(path: Path, change: Callable[[openpyxl.Workbook], Any]) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def _bigger_agreement() -> dict[str, Any]:
    data = herefordshire()
    data["partners"].append({"code": COUNTY, "name": NAMES[COUNTY]})
    data["offset_across_schemes"] = True
    data["contingency"]["funded"][COUNTY] = "0.00"
    data["schemes"] += [
        {"id": "REAB", "name": "Reablement", "actual": "2312400.00",
         "contributions": {COUNCIL: "1000000.00", ICB: "600000.00", COUNTY: "400000.00"},
         "overspend": {"rule": "capped", "base": {"shares": {COUNCIL: "0.5", ICB: "0.3", COUNTY: "0.2"}},
                       "caps": {COUNTY: "25000.00"}, "excess": "unallocated"},
         "underspend": {"rule": "fixed", "shares": {COUNCIL: "0.5", ICB: "0.5"}}},
        {"id": "DFG", "name": "Disabled facilities grants", "actual": "150000.00",
         "contributions": {COUNCIL: "200000.00"},
         "overspend": {"rule": "lead", "partner": COUNCIL}, "underspend": {"rule": "carry_forward"}},
    ]
    return data


@pytest.mark.parametrize("build", [herefordshire, _bigger_agreement], ids=["herefordshire", "every-rule"])
def test_template_filled_in_settles_like_the_json(cli, write_json, template, build):
    data = build()
    fill_workbook(template, data)
    from_workbook = cli("pool", "settle", template, "--format", "json")
    from_json = cli("pool", "settle", write_json(data), "--format", "json")
    assert from_workbook.code == 0, from_workbook.err
    assert from_workbook.out == from_json.out


def test_blank_template_has_styled_headers_instructions_and_marked_examples(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["Instructions", "Agreement", "Partners", "Schemes", "Contributions", "Shares",
                               "Caps"]
    schemes = book["Schemes"]
    assert schemes["A1"].value == "id" and schemes["A1"].font.bold and schemes.freeze_panes == "A2"
    assert str(schemes["A2"].value).startswith("#")
    assert "carepool pool settle" in " ".join(str(c.value) for c in book["Instructions"]["A"])


def test_example_rows_are_ignored(cli, template):
    fill_workbook(template, herefordshire())
    _edit(template, lambda b: b["Contributions"].append(["# ICES", ICB, "999999.00"]))
    run = cli("pool", "settle", template, "--format", "json")
    assert run.code == 0, run.err


def test_template_will_not_overwrite_without_force(cli, template):
    again = cli("pool", "template", "--out", template)
    assert again.code == 2 and "already exists" in again.err
    assert cli("pool", "template", "--out", template, "--force").code == 0


def _set_cell(sheet: str, cell: str, value: Any) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        book[sheet][cell] = value

    return change


BAD_CELLS = [
    ("not an amount", _set_cell("Contributions", "C3", "abc"),
     "agreement.xlsx, sheet Contributions, row 3, column amount: expected an amount like \"1234.56\""),
    ("fraction of a penny", _set_cell("Schemes", "C2", 590000.125),
     "agreement.xlsx, sheet Schemes, row 2, column actual: 590000.125 has a fraction of a penny"),
    ("unknown scheme", _set_cell("Contributions", "A3", "ICSE"),
     "sheet Contributions, row 3, column scheme_id: there is no scheme ICSE on sheet Schemes"),
    ("unknown partner", _set_cell("Contributions", "B3", "QRV"),
     "sheet Contributions, row 3, column partner_code: scheme ICES: QRV is not a partner of this agreement"),
    ("negative contribution", _set_cell("Contributions", "C3", -5),
     "sheet Contributions, row 3, column amount: scheme ICES: a contribution must not be negative"),
    ("year became a date", _set_cell("Agreement", "B3", datetime(2024, 2, 25)),
     "sheet Agreement, row 3, column value: Excel turned the year into a date"),
    ("host not a partner", _set_cell("Agreement", "B4", "QRV"),
     "sheet Agreement, row 4, column value: the host QRV is not a partner"),
    ("funding does not add up", _set_cell("Partners", "C3", 5000),
     "sheet Partners, column contingency_funding: contingency funding adds up to 15000.00"),
    ("unknown rule", _set_cell("Schemes", "D2", "shared"),
     "sheet Schemes, row 2, column overspend_rule: unknown rule 'shared'"),
    ("lead not a partner", lambda b: (_set_cell("Schemes", "D2", "lead")(b), _set_cell("Schemes", "E2", "QRV")(b)),
     "sheet Schemes, row 2, column overspend_lead: scheme ICES: the lead partner QRV is not a partner"),
    ("shares not 1", lambda b: (_set_cell("Schemes", "D2", "fixed")(b),
                                b["Shares"].append(["ICES", "overspend", COUNCIL, 0.6]),
                                b["Shares"].append(["ICES", "overspend", ICB, 0.3])),
     "sheet Shares, row 2, column share: scheme ICES: shares add up to 0.9, expected exactly 1"),
    ("shares nobody uses", lambda b: b["Shares"].append(["ICES", "underspend", COUNCIL, 1]),
     "sheet Shares, row 2, column which: scheme ICES's rules do not use these rows (underspend)"),
    ("missing column", _set_cell("Caps", "C1", "limit"), "sheet Caps, row 1, column cap: this column is missing"),
    ("duplicate contribution", lambda b: b["Contributions"].append(["ICES", ICB, 1]),
     "sheet Contributions, row 4, column partner_code: partner QGH already has a row for scheme ICES here"),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in BAD_CELLS], ids=[c[0] for c in BAD_CELLS])
def test_bad_workbook_names_sheet_row_and_column(cli, template, change, expected):
    fill_workbook(template, herefordshire())
    _edit(template, change)
    run = cli("pool", "settle", template)
    assert run.code == 2
    assert expected in run.err.splitlines()[0]
    assert "Traceback" not in run.err


def test_every_bad_cell_is_reported_before_anything_is_settled(cli, template):
    fill_workbook(template, herefordshire())
    _edit(template, lambda b: (_set_cell("Contributions", "C2", "x")(b), _set_cell("Schemes", "C2", "y")(b)))
    run = cli("pool", "settle", template)
    assert run.code == 2 and "(and 1 more below)" in run.err
    assert "sheet Schemes, row 2, column actual" in run.err
    assert "sheet Contributions, row 2, column amount" in run.err


def test_amounts_typed_as_numbers_are_read_exactly(cli, write_json, template):
    data = herefordshire()
    fill_workbook(template, data)
    _edit(template, _set_cell("Schemes", "C2", 590000.07))
    data["schemes"][0]["actual"] = "590000.07"
    assert cli("pool", "settle", template, "--format", "json").out == \
        cli("pool", "settle", write_json(data), "--format", "json").out


def test_not_a_workbook(cli, tmp_path):
    path = tmp_path / "agreement.xlsx"
    path.write_bytes(b"this is not a zip file")
    run = cli("pool", "settle", path)
    assert run.code == 2 and "agreement.xlsx: not an Excel workbook (.xlsx)" in run.err


def test_missing_sheet(cli, template):
    fill_workbook(template, herefordshire())
    _edit(template, lambda b: b.remove(b["Contributions"]))
    run = cli("pool", "settle", template)
    assert run.code == 2 and "agreement.xlsx: the workbook has no sheet 'Contributions'" in run.err
