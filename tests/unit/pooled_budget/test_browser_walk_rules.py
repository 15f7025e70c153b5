"""What a browser walk found in the pure rules: a figure set to zero moved "as at", a forecast was explained as
"actual", and the agreement workbook skipped the layout checks every other import gets."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from carepool.core.errors import CarepoolError
from carepool.pooled_budget.definition import read_definition
from carepool.pooled_budget.forecast import MONTHS, MonthFigure, forecast, latest_month
from carepool.pooled_budget.io import read_agreement, write_template
from carepool.pooled_budget.model import FixedShares
from carepool.pooled_budget.template import INSTRUCTIONS
from tests.unit.pooled_budget.pool_builders import COUNCIL, ICB, fill_workbook, herefordshire, m, pool, scheme, shares


def figure(scheme_id: str, month: int, actual: str, commitments: str = "0") -> MonthFigure:
    return MonthFigure(scheme_id, month, COUNCIL, m(actual), m(commitments))


def reablement() -> object:
    return pool(scheme("REAB", {COUNCIL: "480000", ICB: "720000"}, "0",
                       overspend=FixedShares(shares(**{COUNCIL: "0.4", ICB: "0.6"})), name="Reablement"),
                scheme("ICES", {COUNCIL: "60000", ICB: "60000"}, "0", name="Equipment"))


def test_a_figure_set_to_zero_does_not_move_as_at() -> None:
    figures = [figure("REAB", 1, "1000"), figure("REAB", 2, "1000"), figure("REAB", 12, "0")]
    assert latest_month(figures) == 2
    assert latest_month([figure("REAB", 5, "0", "300")]) == 5  # commitments alone say something
    result = forecast(reablement(), figures)
    assert result.as_at == 2 and result.schemes[0].recorded == frozenset({1, 2, 12})
    # a whole year in, March's figures all zero: the year is complete, not "as at February"
    year = [figure(s, n, "0" if n == MONTHS else "1000") for s in ("REAB", "ICES") for n in range(1, MONTHS + 1)]
    assert forecast(reablement(), year).complete


def test_a_scheme_a_month_behind_is_projected_from_its_own_months_not_from_a_nil_month() -> None:
    """One figure for Equipment in November moved the whole pool to November, and Reablement's missing November
    counted as £0 in its run rate: the forecast fell by a third of a month's spend for no spending at all."""
    figures = [figure("REAB", n, "100000") for n in range(1, 8)]  # April to October
    figures += [figure("ICES", n, "10000") for n in range(1, 9)]  # April to November
    result = forecast(reablement(), figures)
    reab, ices = result.schemes
    assert result.as_at == 8 and (reab.remaining_months, ices.remaining_months) == (5, 4)
    assert reab.run_rate == m("100000") and reab.forecast == m("1200000")  # 7 months in, 5 to go at £100,000
    assert ices.forecast == m("120000")
    assert result.warnings == ("Reablement has figures only to Oct 2024, while other schemes have Nov 2024: its "
                               "forecast runs on from Oct 2024; record its later months when its ledger has them",)

def test_the_explanation_calls_a_forecast_a_forecast_and_only_a_complete_year_actual() -> None:
    mid_year = forecast(reablement(), [figure("REAB", n, "110000") for n in (1, 2, 3)]).outcome.explanation()
    assert ("Reablement (REAB): budget £1,200,000.00, forecast outturn £1,320,000.00: an overspend of £120,000.00"
            in mid_year)
    assert not any("actual £" in line for line in mid_year)
    new = forecast(reablement(), []).outcome.explanation()
    assert ("Reablement (REAB): budget £1,200,000.00, forecast outturn (the budget: no actuals yet) "
            "£1,200,000.00: on budget") in new
    year = [figure(s, n, "100000") for s in ("REAB", "ICES") for n in range(1, MONTHS + 1)]
    complete = forecast(reablement(), year).outcome.explanation()
    assert "Reablement (REAB): budget £1,200,000.00, actual for the year £1,200,000.00: on budget" in complete


def _agreement(tmp_path: Path) -> tuple[Path, openpyxl.Workbook]:
    path = tmp_path / "pool.xlsx"
    write_template(path)
    fill_workbook(path, herefordshire())
    return path, openpyxl.load_workbook(path)


@pytest.mark.parametrize("reader", [read_definition, read_agreement], ids=["pool create", "pool settle"])
def test_the_agreement_workbook_gets_the_layout_checks_of_every_import(tmp_path: Path, reader: object) -> None:
    path, book = _agreement(tmp_path)
    contributions = book["Contributions"]
    contributions.cell(row=2, column=5, value="282000")  # under no header: which amount was agreed?
    book.save(path)
    with pytest.raises(CarepoolError) as beyond:
        reader(path)  # type: ignore[operator]
    assert ("pool.xlsx, sheet Contributions, row 1: column E has values (the first in row 2) but no header"
            in str(beyond.value))

    path, book = _agreement(tmp_path)
    schemes = book["Schemes"]
    header = [cell.value for cell in schemes[1]]
    schemes.cell(row=1, column=len(header) + 1, value="overspend_rule")
    schemes.cell(row=2, column=len(header) + 1, value="fixed")
    book.save(path)
    with pytest.raises(CarepoolError, match="the header 'overspend_rule' heads columns D and K, each with values"):
        reader(path)  # type: ignore[operator]

    path, book = _agreement(tmp_path)
    book["Caps"].sheet_state = "hidden"
    book.save(path)
    with pytest.raises(CarepoolError, match="sheet Caps: this sheet is hidden"):
        reader(path)  # type: ignore[operator]

    path, book = _agreement(tmp_path)
    book["Instructions"].sheet_state = "hidden"  # a sheet no reader reads may be as people like
    book.save(path)
    reader(path)  # type: ignore[operator]


def test_the_template_instructions_describe_how_the_app_works_now() -> None:
    text = "\n".join(INSTRUCTIONS)
    assert "Pooled budgets (/pool)" in text and "carepool pool create" in text
    assert "leave the actual column on sheet Schemes empty" in text and "client_group" in text
    assert "Fill in the sheets, save, then run:  carepool pool settle" not in text
