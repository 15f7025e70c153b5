"""Charts offer nothing that leaves the page, and money hovers to the penny."""

from __future__ import annotations

import plotly.graph_objects as go

from carepool.web.charts import chart_html, money_axis


def test_a_money_chart_hovers_in_pounds_and_offers_no_cloud_sharing() -> None:
    figure = go.Figure([go.Bar(x=["HC-HOUN-CB"], y=[1429428.0])])
    money_axis(figure)
    html = str(chart_html(figure, title="Yearly cost by lot"))
    assert '"tickprefix":"\\u00a3"' in html and '"hoverformat":",.2f"' in html  # £1,429,428.00, not £1.429428M
    assert '"showSendToCloud": false' in html and '"sendChartToCloud"' in html  # removed from the toolbar
    assert '<figure class="chart" aria-label="Yearly cost by lot">' in html


def test_the_title_is_a_caption_that_wraps_and_the_legend_starts_at_the_left() -> None:
    figure = go.Figure([go.Bar(x=["HC-HOUN-CB"], y=[1.0], name="Awarded")])
    html = str(chart_html(figure, title="Yearly cost by lot & <today>"))
    assert "<figcaption>Yearly cost by lot &amp; &lt;today&gt;</figcaption>" in html  # escaped, once
    assert '"legend":{"orientation":"h","x":0,"xanchor":"left"' in html.replace(" ", "")
