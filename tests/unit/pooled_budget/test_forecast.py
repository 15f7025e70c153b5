"""The forecast outturn and each partner's forecast share, checked by hand."""

from __future__ import annotations

import pytest

from carepool.core.errors import CarepoolError
from carepool.pooled_budget.forecast import MonthFigure, forecast, outturn
from carepool.pooled_budget.model import FixedShares
from tests.unit.pooled_budget.pool_builders import COUNCIL, COUNTY, ICB, m, pool, scheme, shares


def figure(scheme_id: str, month: int, actual: str, commitments: str = "0", source: str = COUNCIL) -> MonthFigure:
    return MonthFigure(scheme_id, month, source, m(actual), m(commitments))


def reablement() -> object:
    return pool(scheme("REAB", {COUNCIL: "480000", ICB: "720000"}, "0",
                       overspend=FixedShares(shares(**{COUNCIL: "0.4", ICB: "0.6"})), name="Reablement"),
                scheme("ICES", {COUNCIL: "60000", ICB: "60000"}, "0", name="Equipment"))


def test_run_rate_forecast_by_hand() -> None:
    # Apr 100,000 May 110,000 Jun 120,000 (two ledgers in June), commitments £15,000 at June:
    # 330,000 to date + 15,000 + 9 months x 110,000 = 1,335,000; 135,000 over a 1,200,000 budget.
    figures = [figure("REAB", 1, "100000"), figure("REAB", 2, "110000"), figure("REAB", 3, "70000", "10000"),
               figure("REAB", 3, "50000", "5000", source=ICB), figure("ICES", 3, "9000")]
    result = forecast(reablement(), figures)
    reab = result.schemes[0]
    assert result.as_at == 3 and result.as_at_label == "Jun 2024"
    assert (reab.actual_to_date, reab.commitments, reab.run_rate) == (m("330000"), m("15000"), m("110000"))
    assert (reab.remaining_months, reab.projected, reab.forecast) == (9, m("990000"), m("1335000"))
    assert reab.variance == m("135000") and reab.basis == "run rate"
    # Equipment spent only in June: average of the three months 3,000; 9,000 + 9 x 3,000 = 36,000
    assert result.schemes[1].forecast == m("36000")
    # forecast shares: 135,000 over split 40/60 (54,000 / 81,000); equipment 84,000 under returned 50/50
    positions = {p.code: p for p in result.outcome.partners}
    assert positions[COUNCIL].overspend_share == m("54000") and positions[ICB].overspend_share == m("81000")
    assert positions[COUNCIL].underspend_share == m("-42000")
    assert ("Overspend on Reablement £135,000.00: split 40/60 under the fixed-shares rule "
            "(Herefordshire Council £54,000.00, NHS Herefordshire and Worcestershire ICB £81,000.00)"
            in result.outcome.explanation())


def test_fewer_than_three_months_average_what_there_is_and_rounding_is_once() -> None:
    figures = [figure("REAB", 1, "100000.01"), figure("REAB", 2, "100000.00")]
    reab = forecast(reablement(), figures).schemes[0]
    # 10 months x 200,000.01 / 2 = 1,000,000.05 exactly; the run rate shown is rounded half up
    assert reab.projected == m("1000000.05") and reab.run_rate == m("100000.01")
    assert reab.forecast == m("1200000.06")


def test_manual_forecast_overrides_and_no_actuals_means_budget() -> None:
    result = forecast(reablement(), [], manual={"ICES": m("125000")})
    assert result.as_at == 0 and result.schemes[0].forecast == m("1200000")
    assert result.schemes[0].basis == "budget (no actuals yet)"
    assert result.schemes[1].forecast == m("125000") and result.schemes[1].basis == "manual"


def test_the_spec_example_fixed_50_30_20() -> None:
    agreement = pool(scheme("REAB", {COUNTY: "1000000", ICB: "600000", COUNCIL: "400000"}, "0",
                            overspend=FixedShares(shares(**{COUNTY: "0.5", ICB: "0.3", COUNCIL: "0.2"})),
                            name="Reablement"), partners=(COUNTY, ICB, COUNCIL), host=COUNTY)
    result = forecast(agreement, [figure("REAB", 12, "2312400")])
    assert result.schemes[0].forecast == m("2312400")
    assert any(line.startswith("Overspend on Reablement £312,400.00: split 50/30/20 under the fixed-shares rule")
               for line in result.outcome.explanation())


def test_as_at_ignores_later_months_and_outturn_adds_the_year() -> None:
    figures = [figure("REAB", month, "100000") for month in range(1, 13)]
    assert forecast(reablement(), figures, as_at=6).schemes[0].actual_to_date == m("600000")
    assert outturn(reablement(), figures).schemes[0].actual == m("1200000")
    with pytest.raises(CarepoolError, match="expected 0 to 12"):
        forecast(reablement(), figures, as_at=13)
    with pytest.raises(CarepoolError, match="outside a financial year"):
        figure("REAB", 13, "1")


def test_once_march_is_in_the_outturn_is_the_actual_for_the_year() -> None:
    # March's commitments and a manual forecast no longer count: nothing is left to forecast, so the
    # figure agrees with the year-end settlement (which shares the year's actuals)
    figures = [figure("REAB", month, "100000", "25000" if month == 12 else "0") for month in range(1, 13)]
    result = forecast(reablement(), figures, manual={"REAB": m("2000000")})
    reab = result.schemes[0]
    assert (reab.commitments, reab.remaining_months, reab.forecast) == (m("25000"), 0, m("1200000"))
    assert reab.basis == "actual (year complete)" and result.agreement.schemes[0].actual == m("1200000")
    assert outturn(reablement(), figures).schemes[0].actual == result.schemes[0].forecast


def test_a_scheme_with_a_month_missing_keeps_its_forecast_when_another_scheme_has_march() -> None:
    reab = [figure("REAB", month, "100000") for month in range(1, 13)]
    ices = [figure("ICES", month, "10000", "500" if month == 10 else "0") for month in range(1, 11)]  # to January
    result = forecast(reablement(), reab + ices, manual={"ICES": m("120000")})
    assert result.as_at == 12 and not result.complete
    assert result.schemes[0].basis == "actual (year complete)"
    assert (result.schemes[1].basis, result.schemes[1].forecast) == ("manual", m("120000"))
    done = forecast(reablement(), reab + ices + [figure("ICES", 11, "0"), figure("ICES", 12, "9000")],
                    manual={"ICES": m("120000")})
    assert done.complete and (done.schemes[1].basis, done.schemes[1].forecast) == ("actual (year complete)",
                                                                                  m("109000"))


def test_a_forecast_below_zero_is_shown_with_a_warning_not_refused() -> None:
    # a refund in July after a large April: 700,000 to date, run rate (0 + 0 - 300,000) / 3 = -100,000,
    # 8 months left: 700,000 - 800,000 = -100,000
    figures = [figure("REAB", 1, "1000000"), figure("REAB", 2, "0"), figure("REAB", 3, "0"),
               figure("REAB", 4, "-300000")]
    result = forecast(reablement(), figures)
    assert result.schemes[0].forecast == m("-100000")
    assert result.warnings == ("the forecast outturn of Reablement is -£100,000.00: below zero, which no settlement "
                               "can share; the forecast shares count it as £0.00 until its actuals and commitments "
                               "are put right",)
    assert result.agreement.schemes[0].actual == m("0")  # shared as nothing spent
