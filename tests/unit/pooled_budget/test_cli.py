"""`carepool pool settle` end to end: the output formats and every kind of bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.pooled_budget.pool_builders import COUNCIL, COUNTY, ICB, NAMES, herefordshire

HEREFORDSHIRE_JSON = {
    "partners": {
        COUNCIL: {"contribution": "292000.00", "overspend_share": "3000.00", "underspend_share": "0.00",
                  "final_cost": "295000.00"},
        ICB: {"contribution": "292000.00", "overspend_share": "3000.00", "underspend_share": "0.00",
              "final_cost": "295000.00"},
    },
    "schemes": [{"id": "ICES", "budget": "564000.00", "actual": "590000.00", "variance": "26000.00",
                 "shares": {COUNCIL: "3000.00", ICB: "3000.00"}}],
    "carried_forward": "0.00",
    "unallocated": "0.00",
}


def test_settle_json_gives_the_contract_keys(cli, write_json):
    run = cli("pool", "settle", write_json(herefordshire()), "--format", "json")
    assert run.code == 0, run.err
    out = json.loads(run.out)
    for key, expected in HEREFORDSHIRE_JSON.items():
        if key == "schemes":
            scheme = out["schemes"][0]
            assert {k: scheme[k] for k in expected[0]} == expected[0]
            assert set(scheme) == {*expected[0], "adjustments"}
        else:
            assert out[key] == expected
    assert out["contingency"] == {"amount": "20000.00", "funded": {COUNCIL: "10000.00", ICB: "10000.00"},
                                  "used": "20000.00", "returned": {COUNCIL: "0.00", ICB: "0.00"}}
    assert set(out) == {*HEREFORDSHIRE_JSON, "agreement", "contingency", "explanation"}


def test_settle_table_is_for_people(cli, write_json):
    data = herefordshire()
    data["partners"].append({"code": COUNTY, "name": NAMES[COUNTY]})
    data["contingency"] = None
    data["schemes"].append({
        "id": "REAB", "name": "Reablement", "actual": "2312400.00",
        "contributions": {COUNCIL: "1000000.00", ICB: "600000.00", COUNTY: "400000.00"},
        "overspend": {"rule": "fixed", "shares": {COUNCIL: "0.5", ICB: "0.3", COUNTY: "0.2"}}})
    run = cli("pool", "settle", write_json(data))
    assert run.code == 0, run.err
    assert "£156,200.00" in run.out and "£93,720.00" in run.out
    assert "Overspend on Reablement £312,400.00: split 50/30/20 under the fixed-shares rule" in run.out
    assert "Check: final costs £2,902,400.00 = actual spend £2,902,400.00" in run.out


def test_money_may_be_whole_pounds_as_json_integers(cli, write_json):
    data = herefordshire()
    data["schemes"][0]["actual"] = 590000
    data["schemes"][0]["contributions"] = {COUNCIL: 282000, ICB: "282000"}
    run = cli("pool", "settle", write_json(data), "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["partners"] == HEREFORDSHIRE_JSON["partners"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Change one field of the Herefordshire example, e.g. ``schemes.0.actual``."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()
FIXED_09 = {"rule": "fixed", "shares": {COUNCIL: "0.6", ICB: "0.3"}}

BAD_INPUT = [
    ("unknown partner", _set("schemes.0.contributions.XYZ1", "5.00"),
     "scheme ICES, field contributions.XYZ1: XYZ1 is not a partner of this agreement"),
    ("shares not 1", _set("schemes.0.overspend", FIXED_09),
     "scheme ICES, field overspend.shares: shares add up to 0.9, expected exactly 1"),
    ("fraction of a penny", _set("schemes.0.actual", "590000.001"),
     "scheme ICES, field actual: '590000.001' has a fraction of a penny"),
    ("negative contribution", _set("schemes.0.contributions.QGH", "-282000.00"),
     "scheme ICES, field contributions.QGH: a contribution must not be negative"),
    ("lead not a partner", _set("schemes.0.overspend", {"rule": "lead", "partner": "QRV"}),
     "scheme ICES, field overspend.partner: the lead partner QRV is not a partner"),
    ("contingency does not add up", _set("contingency.funded.QGH", "5000.00"),
     "field contingency.funded: contingency funding adds up to 15000.00, but the contingency amount is "
     "20000.00"),
    ("float for money", _set("schemes.0.actual", "FLOAT"),
     "scheme ICES, field actual: 590000.00 is a JSON number with decimals; write money as text"),
    ("missing actual", _set("schemes.0.actual", _DELETE), "scheme ICES, field actual: required field is missing"),
    ("missing partners", _set("partners", _DELETE), "field partners: required field is missing"),
    ("missing rule shares", _set("schemes.0.overspend", {"rule": "fixed"}),
     "scheme ICES, field overspend.shares: required field is missing"),
    ("unknown rule", _set("schemes.0.underspend", {"rule": "shared"}),
     "scheme ICES, field underspend.rule: unknown rule 'shared'; expected one of proportional, fixed, lead, "
     "carry_forward"),
    ("typo in a field", _set("schemes.0.overspent", {"rule": "lead", "partner": ICB}),
     "scheme ICES, field overspent: unknown field"),
    ("host not a partner", _set("host", "E08000025"), "field host: the host E08000025 is not a partner"),
    ("bad year", _set("year", "2024/26"), "field year: '2024/26' is not a financial year"),
    ("negative share", _set("schemes.0.underspend", {"rule": "fixed", "shares": {COUNCIL: "1.5", ICB: "-0.5"}}),
     "scheme ICES, field underspend.shares.QGH: a share must not be negative"),
    ("capped without excess", _set("schemes.0.overspend", {"rule": "capped", "caps": {}}),
     "scheme ICES, field overspend.excess: required field is missing"),
    ("bad excess", _set("schemes.0.overspend", {"rule": "capped", "caps": {ICB: "1.00"}, "excess": "board"}),
     "scheme ICES, field overspend.excess: expected \"host\" or \"unallocated\", got 'board'"),
    ("boolean for money", _set("schemes.0.actual", True), "scheme ICES, field actual: expected an amount"),
    ("bad partner code", _set("partners.1.code", "NHS Herefordshire"),
     "field partners[1].code: 'NHS HEREFORDSHIRE' is neither a council GSS code"),
    ("offset not boolean", _set("offset_across_schemes", "yes"),
     "field offset_across_schemes: expected true or false"),
    ("scheme without budget", _set("schemes.0.contributions", {COUNCIL: "0", ICB: "0.00"}),
     "scheme ICES, field contributions: the scheme's budget is 0"),
    ("duplicate scheme", lambda d: d["schemes"].append(dict(d["schemes"][0])),
     "scheme ICES, field id: the scheme id is used 2 times"),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_exits_2_naming_scheme_and_field(cli, write_json, change, expected):
    data = herefordshire()
    change(data)
    text = json.dumps(data).replace('"FLOAT"', "590000.00")
    run = cli("pool", "settle", write_json(text))
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith("error: ")
    assert expected in run.err.splitlines()[0]
    assert "Traceback" not in run.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"agreement": "x",', "is not valid JSON: Expecting property name enclosed in double quotes at line 1"),
        ('{"agreement": NaN}', "is not valid JSON: NaN is not a number JSON allows"),
        ('{"host": "QGH", "host": "QGH"}', "is not valid JSON: the key 'host' appears twice"),
        ("[1, 2]", "error: expected the agreement as a JSON object {...}, got a list"),
        ('{"agreement": "x", "year": "2024/25", "host": "QGH", "partners": [], "schemes": [7]}',
         "field partners: expected a list of partners, got an empty list"),
    ],
)
def test_unreadable_json(cli, write_json, text, expected):
    run = cli("pool", "settle", write_json(text))
    assert (run.code, "Traceback" in run.err) == (2, False)
    assert expected in run.err


def test_missing_file_and_wrong_kind_of_file(cli, tmp_path):
    missing = cli("pool", "settle", tmp_path / "nowhere.json")
    assert (missing.code, missing.err.strip()) == (2, f"error: {tmp_path / 'nowhere.json'}: no such file")
    csv = cli("pool", "settle", tmp_path / "agreement.csv")
    assert csv.code == 2 and "expected a .json file or an .xlsx workbook" in csv.err


def test_every_problem_is_reported_at_once(cli, write_json):
    data = herefordshire()
    data["schemes"][0]["actual"] = "abc"
    data["schemes"][0]["contributions"]["QGH"] = "1.999"
    run = cli("pool", "settle", write_json(data))
    assert run.code == 2
    first, *rest = run.err.splitlines()
    assert "scheme ICES, field contributions.QGH: '1.999' has a fraction of a penny" in first
    assert "(and 1 more below)" in first
    assert rest == ["  scheme ICES, field actual: expected an amount like \"1234.56\" or \"£1,234.56\", got 'abc'"]
