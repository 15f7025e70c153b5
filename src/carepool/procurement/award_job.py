"""The award run from the tender's page, in the background: the page shows a bar counting the optimiser's runs
(the award, "cheapest wins", one without each rule), and the award when they are done."""

from __future__ import annotations

from carepool.core.errors import CarepoolError
from carepool.db.uow import UnitOfWork
from carepool.jobs import service as jobs
from carepool.jobs.model import Job
from carepool.partners.model import Caller
from carepool.procurement import evaluation, reports
from carepool.procurement.access import tender_for
from carepool.procurement.model import TenderStatus, check_move

JOB_KIND = evaluation.AWARD_JOB


def start_in_background(*, uow: UnitOfWork, runner: jobs.Runner, caller: Caller, ref: str) -> Job:
    """Refuse now what ``evaluate`` would refuse before running (not the lead, not closed); else run the award in
    a background job, which the tender's page follows. A tender no plan can meet fails the job with what can
    still be done."""
    tender, _ = tender_for(uow, caller, ref, manage=True)
    check_move(tender.ref, TenderStatus(tender.status), "evaluate")
    return jobs.start_after(uow, runner=runner, caller=caller, kind=JOB_KIND, subject_type="tender", subject=tender.ref,
                            what=f"the award of tender {tender.ref}", work=run_award)


def run_award(uow: UnitOfWork, caller: Caller, ref: str, progress: jobs.Progress) -> str:
    """The job's work: the award, or a refusal that says what can still be done."""
    try:
        evaluation.evaluate(uow=uow, caller=caller, ref=ref, progress=progress)
    except CarepoolError as error:
        if error.kind != "infeasible":
            raise
        raise CarepoolError(  # say what can still be done: the rules were published with the tender
            f"{error.message.rstrip('.')}. The rules were published with the tender and cannot change once "
            "bids are open, and nor can the bids. Panel scores can only decide which bids pass the quality "
            "floor; if that cannot help, cancel the tender and publish a new one under rules the market can "
            "meet.", kind=error.kind, problems=error.problems) from None
    return "Award run. Review it below, override with a reason if you must, then confirm."


def award_job(*, uow: UnitOfWork, caller: Caller, ref: str) -> Job | None:
    """The latest run of the award started from the tender's page, for the consortium's members."""
    tender = reports.member_tender(uow, caller, ref, what="the award of tender {ref} is")
    return jobs.latest(uow=uow, kind=JOB_KIND, subject=tender.ref)
