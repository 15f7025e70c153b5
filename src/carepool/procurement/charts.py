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
    today = summary.today
    series = [("Cheapest wins", summary.cheapest.shares), ("Awarded", summary.awarded.shares)]
    if today is not None and today.market.shares:  # before and after: today's shares of the value with a named provider
        series.insert(0, (f"Today ({percent(today.named)} of value named)", today.market.shares))
    providers = sorted(set().union(*(shares for _, shares in series)),
                       key=lambda p: -sum(shares.get(p, 0) for _, shares in series))
    labels = [names.get(p, p) for p in providers]
    shares = go.Figure([go.Bar(name=name, y=labels, x=[float(by.get(p, 0)) * 100 for p in providers], orientation="h")
                        for name, by in series])
    shares.update_layout(barmode="group", xaxis={"ticksuffix": "%", "title": {"text": "Share of yearly value"}},
                         yaxis={"autorange": "reversed"})

    markets = [("Cheapest wins", summary.cheapest.sme_share), ("Awarded", summary.awarded.sme_share)]
    if today is not None and today.sme_known and today.market.shares:
        markets.insert(0, ("Today", today.market.sme_share))
    sme = go.Figure([go.Bar(x=[name for name, _ in markets], y=[float(share) * 100 for _, share in markets],
                            text=[percent(share) for _, share in markets],
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
