"""Award charts (plotly, offline). Each is paired with a table on the page carrying the same numbers."""

from __future__ import annotations

from markupsafe import Markup

from carepool.core.money import percent
from carepool.procurement.reports import AwardSummary
from carepool.web.charts import chart_html, money_axis


def award_charts(summary: AwardSummary) -> dict[str, Markup]:
    import plotly.graph_objects as go

    codes = [lot.code for lot in summary.lots]
    by_lot = go.Figure([
        go.Bar(name="Today's prices", x=codes, y=[float(lot.baseline_annual.amount) for lot in summary.lots]),
        go.Bar(name="Awarded", x=codes, y=[float(lot.awarded_annual.amount) for lot in summary.lots]),
    ])
    by_lot.update_layout(barmode="group", xaxis={"tickangle": -45, "title": {"text": "Lot"}},
                         yaxis={"title": {"text": "Yearly cost"}})
    money_axis(by_lot)

    names = summary.names
    providers = sorted(set(summary.awarded.shares) | set(summary.cheapest.shares),
                       key=lambda p: -(summary.awarded.shares.get(p, 0) + summary.cheapest.shares.get(p, 0)))
    labels = [names.get(p, p) for p in providers]
    shares = go.Figure([
        go.Bar(name="Cheapest wins", y=labels, x=[float(summary.cheapest.shares.get(p, 0)) * 100 for p in providers],
               orientation="h"),
        go.Bar(name="Awarded", y=labels, x=[float(summary.awarded.shares.get(p, 0)) * 100 for p in providers],
               orientation="h"),
    ])
    shares.update_layout(barmode="group", xaxis={"ticksuffix": "%", "title": {"text": "Share of yearly value"}},
                         yaxis={"autorange": "reversed"})

    sme = go.Figure([go.Bar(x=["Cheapest wins", "Awarded"],
                            y=[float(summary.cheapest.sme_share) * 100, float(summary.awarded.sme_share) * 100],
                            text=[percent(summary.cheapest.sme_share), percent(summary.awarded.sme_share)],
                            textposition="outside", cliponaxis=False)])  # a 0% bar still says 0.0%
    sme.update_layout(yaxis={"ticksuffix": "%", "range": [0, 100]})
    floor = summary.tender.rules.min_sme_share
    if floor:
        sme.add_hline(y=float(floor) * 100, line_dash="dash",
                      annotation_text=f"floor {percent(floor)}", annotation_position="top left")
    return {
        "by_lot": chart_html(by_lot, title="Yearly cost by lot: today's prices and awarded", height=420),
        "shares": chart_html(shares, title="Each provider's share of yearly value",
                             height=max(320, 22 * len(providers) + 120)),
        "sme": chart_html(sme, title="Share of value won by small and medium providers", height=300),
    }
