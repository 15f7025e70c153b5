"""Open data anyone may read without signing in: tenders past their draft, their OCDS releases, and the
contracts awarded (page and CSV). Nothing here can reveal a bid: OCDS carries no bid before the award."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from carepool.core.errors import not_found
from carepool.db.uow import UnitOfWork
from carepool.procurement import ocds, publication
from carepool.procurement.model import CONTRACT_YEARS
from carepool.web.deps import UowDep
from carepool.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/open-data/tenders")
def tenders_page(request: Request, uow: UowDep) -> Response:
    tenders = publication.public_tenders(uow=uow)
    return render(request, "procurement/open_data.html", {"tenders": tenders, "contract_years": CONTRACT_YEARS})


@router.get("/open-data/contracts.csv")
def contracts_csv(uow: UowDep) -> Response:
    text = publication.contracts_csv(publication.public_tenders(uow=uow))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="contracts-awarded.csv"'})


# The record route comes first: "{ref}.json" would also match "CP-2026-001-record.json".
@router.get("/open-data/tenders/{ref}-record.json")
def record_package(request: Request, ref: str, uow: UowDep) -> Response:
    _, record = publication.packages(uow=uow, ref=_published(uow, ref), publisher=request.app.state.settings)
    return Response(ocds.dumps(record), media_type="application/json")


@router.get("/open-data/tenders/{ref}.json")
def release_package(request: Request, ref: str, uow: UowDep) -> Response:
    """The OCDS release package of a tender past its draft (a draft answers 404, as if it did not exist)."""
    release, _ = publication.packages(uow=uow, ref=_published(uow, ref), publisher=request.app.state.settings)
    return Response(ocds.dumps(release), media_type="application/json")


def _published(uow: UnitOfWork, ref: str) -> str:
    wanted = ref.strip().upper()
    if wanted not in publication.published_refs(uow=uow):
        raise not_found(f"tender {ref}")
    return wanted
