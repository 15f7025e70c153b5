"""JSON routes for a tender's savings split (under /api/procurement, included by ``api``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.jobs.schemas import JobRead
from carepool.procurement import split_workbook, splitting
from carepool.procurement.splitting import SplitView
from carepool.web.deps import CallerDep, UowDep

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MemberSplitRead(BaseModel):
    member: str
    name: str
    spend: str = Field(description="Its yearly spend today on its shares of the awarded lots")
    alone: str = Field(description="What it would have saved a year tendering alone (same bids and rules)")
    alone_status: str = Field(description="How its award alone went: optimal, feasible (not proven optimal), "
                              "infeasible (it could not meet the rules alone) or dearer (it would cost more than "
                              "today); the last two keep today's prices")
    realised: str = Field(description="What it saves a year as the award's prices fell on its own shares")
    proportional: str
    shapley: str
    nucleolus: str = Field(description="The least-core split that leaves the most aggrieved group, then the next, "
                           "as content as any split can")
    transfer: str = Field(description="What it pays into the pool (negative: receives) to end with its Shapley share")


class GroupRead(BaseModel):
    members: list[str]
    saving: str
    baseline: str
    cost: str | None
    status: str = Field(description="optimal, feasible (not proven optimal), infeasible (counted at today's prices), "
                        "dearer (its award would cost more than today: today's prices) or award (the consortium's)")
    gap: float | None
    note: str


class ObjectionRead(BaseModel):
    members: list[str]
    alone: str
    given: str
    shortfall: str


class SplitRead(BaseModel):
    tender: str
    computed_at: str
    computed_by: str
    stale: bool = Field(description="The award changed after the split was worked out")
    method: str = Field(description="exact (every group's award run) or sampled (groups along sampled orders)")
    orders: int
    saving: str
    members: list[MemberSplitRead]
    groups: list[GroupRead]
    objections: dict[str, list[ObjectionRead]] = Field(
        description="By split (realised, proportional, shapley, nucleolus): the groups that would save more alone")
    verdicts: dict[str, str]
    core_empty: bool
    least_core_epsilon: str = Field(description="The least any split leaves the worst-off group short (<= 0: none)")

    @classmethod
    def of(cls, view: SplitView) -> SplitRead:
        return cls(
            tender=view.ref, computed_at=view.computed_at.isoformat(), computed_by=view.computed_by, stale=view.stale,
            method=view.method, orders=view.orders, saving=view.total.plain(),
            members=[MemberSplitRead(member=m.code, name=m.name, spend=m.spend.plain(), alone=m.alone.plain(),
                                     alone_status=m.alone_status,
                                     realised=m.realised.plain(), proportional=m.proportional.plain(),
                                     shapley=m.shapley.plain(), nucleolus=m.nucleolus.plain(),
                                     transfer=m.transfer.plain()) for m in view.members],
            groups=[GroupRead(members=list(g.members), saving=Money(g.saving).plain(),
                              baseline=Money(g.baseline).plain(),
                              cost=None if g.cost is None else Money(g.cost).plain(), status=g.status, gap=g.gap,
                              note=g.note) for g in view.groups],
            objections={name: [ObjectionRead(members=sorted(o.coalition), alone=Money(o.alone).plain(),
                                             given=Money(o.given).plain(), shortfall=Money(o.shortfall).plain())
                               for o in found] for name, found in view.objections.items()},
            verdicts={**{s: view.verdict(s) for s in splitting.SPLITS}, "core": view.core_verdict},
            core_empty=view.least_core.core_empty, least_core_epsilon=Money(view.least_core.epsilon).plain())


def _stored(uow: UowDep, caller: CallerDep, ref: str) -> SplitView:
    view = splitting.split_view(uow=uow, caller=caller, ref=ref)
    if view is None:
        raise CarepoolError(f"the savings split of tender {ref.strip().upper()} has not been worked out yet: POST "
                            f"/api/procurement/tenders/{ref.strip().upper()}/savings-split works it out",
                            kind="not_found")
    return view


@router.get("/tenders/{ref}/savings-split")
def savings_split(ref: str, caller: CallerDep, uow: UowDep) -> SplitRead:
    """The tender's savings split as last worked out (any user of a member of the consortium)."""
    return SplitRead.of(_stored(uow, caller, ref))


@router.post("/tenders/{ref}/savings-split")
def compute_savings_split(ref: str, caller: CallerDep, uow: UowDep) -> SplitRead:
    """Run every group of members' award alone and split the saving (a member's finance team or the lead's
    procurement team); takes about a second per group."""
    return SplitRead.of(splitting.compute(uow=uow, caller=caller, ref=ref))


@router.get("/tenders/{ref}/savings-split.xlsx")
def savings_split_workbook(ref: str, caller: CallerDep, uow: UowDep) -> Response:
    view = _stored(uow, caller, ref)
    return Response(split_workbook.workbook(view), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{view.ref}-savings-split.xlsx"'})


@router.post("/tenders/{ref}/savings-split/job", status_code=202)
def start_savings_split(ref: str, request: Request, caller: CallerDep, uow: UowDep) -> JobRead:
    """Work the split out in the background, as its page does (202; then GET this path until it has ended): for
    large consortia, whose groups' awards run longer than a request should wait."""
    job = splitting.start_in_background(uow=uow, runner=request.app.state.job_runner, caller=caller, ref=ref)
    return JobRead.of(job, job.started_at)


@router.get("/tenders/{ref}/savings-split/job")
def savings_split_job(ref: str, caller: CallerDep, uow: UowDep) -> JobRead:
    """How the latest background run of the split started from its page stands (the page polls it)."""
    return JobRead.found(splitting.split_job(uow=uow, caller=caller, ref=ref), uow.now(),
                      missing=f"the savings split of tender {ref.strip().upper()} has not been started from its page")
