"""Charts that work offline: plotly figures, with plotly.js served from the plotly wheel.

Every chart is paired with a table or text on its page, so a screen-reader user
and a user who prints the page get the same numbers.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path
from typing import Any

from markupsafe import Markup

PLOTLY_JS_URL = "/static/plotly.min.js"


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@functools.cache
def plotly_js_gzipped() -> bytes:
    return gzip.compress(plotly_js_path().read_bytes(), compresslevel=9, mtime=0)


def chart_html(figure: Any, *, title: str, height: int = 360) -> Markup:
    """A figure as an HTML fragment (the page's layout loads plotly.js once). The title is the figure's caption, in
    HTML, so it wraps on a narrow screen; the legend sits in a row above the plot at the left, since on a phone the
    chart scrolls sideways and a legend at the right (plotly's default) would start off the screen."""
    figure.update_layout(
        height=height, margin={"l": 60, "r": 20, "t": 40, "b": 50},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        font={"family": "system-ui, Arial, sans-serif"}, paper_bgcolor="white", plot_bgcolor="white",
        colorway=["#005eb8", "#ffb81c", "#007f3b", "#d5281b", "#330072", "#41b6e6", "#768692"],
    )
    config = {"displaylogo": False, "responsive": True, "showSendToCloud": False,
              "modeBarButtonsToRemove": ["sendChartToCloud", "lasso2d", "select2d"]}
    html = figure.to_html(full_html=False, include_plotlyjs=False, config=config)  # nothing that leaves the page
    caption = Markup.escape(title)
    return Markup(f'<figure class="chart" aria-label="{caption}"><figcaption>{caption}</figcaption>{html}</figure>')


def money_axis(figure: Any, axis: str = "yaxis") -> None:
    """Show pounds with thousands separators on an axis of values given in pounds, and to the penny when hovered
    (not plotly's "£1.429428M")."""
    figure.update_layout(**{axis: {"tickprefix": "£", "separatethousands": True, "hoverformat": ",.2f"}})
