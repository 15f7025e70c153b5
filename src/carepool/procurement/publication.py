"""Publish a tender as open contracting data: gather what is public, hand it to ``ocds``, write files."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from carepool.config import Settings
from carepool.core.errors import CarepoolError, not_found
from carepool.core.money import Money
from carepool.core.workbook import inert
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.partners.model import Caller
from carepool.procurement import ocds, reports, tendering
from carepool.procurement.access import tender_for
from carepool.procurement.model import CONTRACT_YEARS, RESULT_STATUSES, BidStatus, TenderStatus
from carepool.procurement.tables import BidRow, OcdsReleaseRow, TenderRow


def snapshot(*, uow: UnitOfWork, ref: str, caller: Caller | None = None) -> ocds.Snapshot:
    """What may be published about a tender. ``caller`` None is an operator at the command line."""
    if caller is None:
        row = uow.session.execute(select(TenderRow).where(TenderRow.ref == ref.strip().upper())).scalar_one_or_none()
        if row is None:
            raise not_found(f"tender {ref}")
    else:
        row, _ = tender_for(uow, caller, ref)
    return _snapshot_of(uow, row)


def _snapshot_of(uow: UnitOfWork, row: TenderRow) -> ocds.Snapshot:
    tender = tendering.view(uow, row, member=False)
    if tender.published_at is None:
        raise CarepoolError(f"tender {tender.ref} is a draft: nothing is published until it is", kind="conflict")
    tenderers: list[str] = []
    if tender.opened_at is not None:
        codes = uow.session.execute(select(BidRow.provider_code).where(
            BidRow.tender_id == row.id, BidRow.status == BidStatus.OPENED.value).distinct())
        tenderers = sorted(codes.scalars())
    awards = []
    if tender.status in RESULT_STATUSES:
        awards = reports.award_lines(uow, row.id)
    codes = {tender.consortium.lead_code, *(code for code, _ in tender.consortium.members), *tenderers,
             *(a.provider_code for a in awards)}
    return ocds.Snapshot(tender, partners.names_of(uow=uow, codes=codes), tenderers, awards)


def keep_release(uow: UnitOfWork, row: TenderRow, stage: str) -> None:
    """Keep the tender's ``stage`` release as the tender stands now, in the unit of work that made the change it
    publishes (a tender published, changed, cancelled, awarded or contracted)."""
    uow.session.flush()
    body = ocds.release_body(_snapshot_of(uow, row), stage)
    uow.session.add(OcdsReleaseRow(tender_id=row.id, key=ocds.release_key(stage, row.version), stage=stage,
                                   released_at=uow.now(), body_json=json.dumps(body)))


def _releases(uow: UnitOfWork, snap: ocds.Snapshot, tender_id: int) -> list[ocds.Release]:
    kept = uow.session.execute(select(OcdsReleaseRow).where(OcdsReleaseRow.tender_id == tender_id)
                               .order_by(OcdsReleaseRow.released_at, OcdsReleaseRow.id)).scalars().all()
    if not kept:  # published before releases were kept (migration 0021)
        return ocds.current_releases(snap)
    releases = [ocds.Release(r.key, r.stage, r.released_at, json.loads(r.body_json)) for r in kept]
    if all(r.stage != "tender" for r in releases):  # published before 0021, a later step kept since: its first
        releases.insert(0, ocds.first_release(snap))  # release, as the tender stands now
    return releases


def packages(*, uow: UnitOfWork, ref: str, publisher: Settings, caller: Caller | None = None) -> \
        tuple[dict[str, Any], dict[str, Any]]:
    """The release package and the record package of one tender, under the ``publisher``'s ocid prefix and web
    address (``Settings.ocid_prefix`` and ``ocds_base_uri``)."""
    snap = replace(snapshot(uow=uow, ref=ref, caller=caller), ocid_prefix=publisher.ocid_prefix)
    releases = _releases(uow, snap, snap.tender.id)
    base_uri = publisher.ocds_base_uri
    published = uow.now()
    package_uri = f"{base_uri}/{snap.tender.ref}.json"
    release = ocds.release_package(snap.ocid, releases, uri=package_uri, published=published)
    record = ocds.record_package(snap.ocid, releases, ocds.compiled(snap),
                                 uri=f"{base_uri}/{snap.tender.ref}-record.json", package_uri=package_uri,
                                 published=published)
    return release, record


def write(*, uow: UnitOfWork, ref: str, out: Path, publisher: Settings, record_out: Path | None = None) -> list[Path]:
    """Write the release package to ``out`` (and the record package next to it, or to ``record_out``)."""
    release, record = packages(uow=uow, ref=ref, publisher=publisher)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ocds.dumps(release) + "\n", encoding="utf-8")
    record_path = record_out or out.with_name(f"{out.stem}-record{out.suffix or '.json'}")
    record_path.write_text(ocds.dumps(record) + "\n", encoding="utf-8")
    return [out, record_path]


def published_refs(*, uow: UnitOfWork) -> list[str]:
    """Tenders that were ever published (a draft cancelled before publication never was)."""
    rows = uow.session.execute(select(TenderRow.ref).where(TenderRow.published_at.is_not(None))
                               .order_by(TenderRow.ref))
    return list(rows.scalars())


CONTRACT_COLUMNS = ("tender", "tender_title", "lot", "lot_name", "supplier_code", "supplier_name", "sme",
                    "hours_per_week", "price_per_hour", "yearly_value", "term_years", "term_value", "contract", "start",
                    "end", "decided_by")


@dataclass(frozen=True)
class PublicTender:
    ref: str
    title: str
    status: TenderStatus
    deadline: datetime | None
    awards: list[reports.AwardLine]  # once the award is confirmed

    @property
    def annual_value(self) -> Money:
        return Money.sum(a.annual_value for a in self.awards)


def public_tenders(*, uow: UnitOfWork) -> list[PublicTender]:
    """Every tender ever published, with its awards once confirmed: what anyone may read, signed in or not
    (the same facts the OCDS releases carry; never a bid)."""
    rows = uow.session.execute(select(TenderRow).where(TenderRow.published_at.is_not(None))
                               .order_by(TenderRow.ref.desc())).scalars()
    tenders = []
    for row in rows:
        status = TenderStatus(row.status)
        awards = reports.award_lines(uow, row.id) if status in RESULT_STATUSES else []
        tenders.append(PublicTender(row.ref, row.title, status, row.deadline, awards))
    return tenders


def contracts_csv(tenders: list[PublicTender]) -> str:
    """The contracts awarded, one row per award (a contract reference once standstill is over)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONTRACT_COLUMNS)
    for tender in tenders:
        for a in tender.awards:
            row = [tender.ref, tender.title, a.lot_code, a.lot_name, a.provider_code, a.provider_name,
                   "yes" if a.sme else "no", f"{a.weekly_quantity:.2f}", a.price.plain(), a.annual_value.plain(),
                   CONTRACT_YEARS, (a.annual_value * CONTRACT_YEARS).plain(),  # the value OCDS publishes
                   a.contract_ref or "after standstill", a.start.isoformat() if a.start else "",
                   a.end.isoformat() if a.end else "",
                   "team, with a recorded reason" if a.source == "override" else "optimiser"]
            writer.writerow([inert(cell) for cell in row])
    return out.getvalue()
