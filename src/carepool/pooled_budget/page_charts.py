"""Plotly figures for the pool pages (served offline). Every chart has a table with the same numbers."""

from __future__ import annotations

from itertools import accumulate

from markupsafe import Markup

from carepool.core.money import Money
from carepool.core.periods import FinancialMonth
from carepool.pooled_budget.forecast import Forecast, SchemeForecast
from carepool.web.charts import chart_html, money_axis


def _months(f: Forecast) -> list[str]:
    return [FinancialMonth(f.agreement.year, n).label for n in range(1, 13)]


def overview_chart(f: Forecast) -> Markup:
    """Actual spend per month, stacked by scheme, against the budget's even monthly profile."""
    import plotly.graph_objects as go

    months = _months(f)
    figure = go.Figure()
    for s in f.schemes:
        figure.add_bar(name=s.name, x=months[:f.as_at or 12], y=[v.amount for v in s.monthly[:f.as_at or 12]])
    profile = Money.sum(s.budget for s in f.schemes).allocate([1] * 12)
    figure.add_scatter(name="Budget per month (even profile)", x=months, y=[m.amount for m in profile],
                       mode="lines", line={"dash": "dash", "color": "#212b32"})
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2})
    money_axis(figure)
    return chart_html(figure, title="Actual spend by month and scheme", height=420)


def scheme_chart(f: Forecast, s: SchemeForecast) -> Markup:
    """One scheme month by month: actual per month, cumulative actual, budget profile and forecast outturn."""
    import plotly.graph_objects as go

    months = _months(f)
    shown = f.as_at or 0
    cumulative = list(accumulate(v.pence for v in s.monthly[:shown]))
    profile = list(accumulate(p.pence for p in s.budget.allocate([1] * 12)))
    figure = go.Figure()
    figure.add_bar(name="Actual in the month", x=months[:shown], y=[v.amount for v in s.monthly[:shown]])
    figure.add_scatter(name="Actual to date", x=months[:shown], y=[Money(p).amount for p in cumulative],
                       mode="lines+markers")
    figure.add_scatter(name="Budget (even profile)", x=months, y=[Money(p).amount for p in profile], mode="lines",
                       line={"dash": "dash", "color": "#212b32"})
    if shown:
        figure.add_scatter(name="Forecast outturn", x=[months[shown - 1], months[-1]],
                           y=[Money(cumulative[-1]).amount, s.forecast.amount], mode="lines+markers",
                           line={"dash": "dot", "color": "#d5281b"})
    figure.update_layout(legend={"orientation": "h", "y": -0.2})
    money_axis(figure)
    return chart_html(figure, title=f"{s.name}: month by month", height=340)

