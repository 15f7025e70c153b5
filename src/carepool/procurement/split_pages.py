"""The savings split page: what each member would have saved alone, the proportional, Shapley and nucleolus splits, and
whether any group of members would do better alone (the finance directors' page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from carepool.jobs import service as jobs
from carepool.jobs.model import worth_showing
from carepool.procurement import reports, splitting, tendering
from carepool.procurement.splitting import SplitView
from carepool.web.charts import chart_html, money_axis
from carepool.web.deps import CallerDep, UowDep
from carepool.web.flash import attempt, take_flash
from carepool.web.rendering import render

router = APIRouter(include_in_schema=False)


def split_chart(view: SplitView) -> Markup:
    import plotly.graph_objects as go

    names = [view.names[m.code] for m in view.members]
    figure = go.Figure([
        go.Bar(name="Alone", x=names, y=[float(m.alone.amount) for m in view.members]),
        go.Bar(name="As the prices fell", x=names, y=[float(m.realised.amount) for m in view.members]),
        go.Bar(name="Proportional to spend", x=names, y=[float(m.proportional.amount) for m in view.members]),
        go.Bar(name="Shapley", x=names, y=[float(m.shapley.amount) for m in view.members]),
        go.Bar(name="Nucleolus", x=names, y=[float(m.nucleolus.amount) for m in view.members]),
    ])
    figure.update_layout(barmode="group", yaxis={"title": {"text": "Yearly saving"}})
    money_axis(figure)
    return chart_html(figure, title="Each member's yearly saving: alone, as the prices fell, and under each split",
                      height=420)


@router.get("/tenders/{ref}/savings-split")
def split_page(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    view = splitting.split_view(uow=uow, caller=caller, ref=ref)  # members only (a clear refusal otherwise)
    tender = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    context: dict[str, Any] = {"tender": tender, "split": view, "flash": take_flash(request),
                               "awarded": reports.award_summary(uow=uow, caller=caller, ref=ref) is not None,
                               "can_compute": splitting.may_compute(caller, tender.consortium.lead_code),
                               "now": uow.now()}
    latest = jobs.latest(uow=uow, kind=splitting.JOB_KIND, subject=tender.ref)  # split_view checked membership
    context["job"] = worth_showing(latest, view.computed_at if view else None, context["now"])
    if view is not None:
        context["chart"], context["charts"] = split_chart(view), True
    return render(request, "procurement/savings_split.html", context, caller=caller)


@router.post("/tenders/{ref}/savings-split")
def compute(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    back = f"/tenders/{ref.strip().upper()}/savings-split"
    runner = request.app.state.job_runner
    return attempt(request, lambda: splitting.start_in_background(uow=uow, runner=runner, caller=caller, ref=ref),
                   "Working out the split: every group of members' award is running.", back)
