"""Open Contracting Data Standard 1.1 with the lots extension: releases, a release package, a record package.

A tender's releases are: ``tender`` once it is published, ``tenderAmendment`` for each change
after that, ``tenderUpdate`` when its bids are opened, ``tenderCancellation``, ``award`` once the
award is confirmed, ``contract`` once the call-off contracts are made. Each is built at its moment
and kept as it was (``publication``): a release never changes. Nothing sealed is ever published:
bids appear only as the number of tenderers and who they were (from opening on) and as awards.
Amounts are written as exact JSON numbers from integer pence (never through a float);
a lot's and an award's ``value`` is for the whole contract period (4 years), the yearly
value is in the description.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from carepool.config import PLACEHOLDER_OCID_PREFIX
from carepool.core.money import Money
from carepool.procurement.model import CONTRACT_YEARS, SERVICES, TenderStatus, contract_period
from carepool.procurement.reports import AwardLine
from carepool.procurement.tendering import TenderView

LOTS_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
PUBLISHER = {"name": "carepool"}
_NUMBER = re.compile(r'"\\u0000(-?\d+\.\d{2})\\u0000"')

TENDER_STATUS = {
    TenderStatus.DRAFT: "planning", TenderStatus.PUBLISHED: "active", TenderStatus.CLOSED: "active",
    TenderStatus.EVALUATED: "active", TenderStatus.AWARDED: "complete", TenderStatus.CONTRACTED: "complete",
    TenderStatus.CANCELLED: "cancelled",
}


@dataclass(frozen=True)
class Snapshot:
    """Everything public about one tender (no bid contents)."""

    tender: TenderView
    names: dict[str, str]
    tenderers: list[str]  # provider codes whose bids were opened (after opening only)
    awards: list[AwardLine]  # after the award is confirmed only
    ocid_prefix: str = PLACEHOLDER_OCID_PREFIX  # the publisher's (settings: CAREPOOL_OCID_PREFIX)

    @property
    def ocid(self) -> str:
        """The tender's open contracting id: the publisher's prefix and the tender's reference."""
        return f"{self.ocid_prefix}-{self.tender.ref}"


def _amount(money: Money) -> str:
    return f"\u0000{money.plain()}\u0000"  # replaced by a bare number in dumps()


def _value(money: Money) -> dict[str, Any]:
    return {"amount": _amount(money), "currency": "GBP"}


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON text with every amount as an exact number (e.g. ``1234.50``)."""
    return _NUMBER.sub(r"\1", json.dumps(data, indent=indent, ensure_ascii=False))


def _org(code: str, names: dict[str, str]) -> dict[str, str]:
    return {"id": code, "name": names.get(code, code)}


def _parties(snap: Snapshot) -> list[dict[str, Any]]:
    """Buyers are the members whose demand is in the tender's lots (not every member of the consortium); the lead is
    the procuring entity."""
    tender = snap.tender
    buying = {share.member for stored in tender.lots for share in stored.lot.shares}
    roles: dict[str, list[str]] = {code: ["buyer"] for code, _ in tender.consortium.members if code in buying}
    roles.setdefault(tender.consortium.lead_code, []).append("procuringEntity")
    for code in snap.tenderers:
        roles.setdefault(code, []).append("tenderer")
    for code in dict.fromkeys(a.provider_code for a in snap.awards):
        roles.setdefault(code, []).append("supplier")
    return [{**_org(code, snap.names), "roles": r} for code, r in roles.items()]


def _lot(stored: Any, tender: TenderView, awarded: set[str]) -> dict[str, Any]:
    lot = stored.lot
    status = TENDER_STATUS[tender.status]
    if tender.awarded_at is not None and lot.code not in awarded:
        status = "unsuccessful"  # no valid bid
    lot_json: dict[str, Any] = {
        "id": lot.code, "title": lot.name,
        "description": (f"{SERVICES[lot.service].name}: {lot.weekly_quantity:,} hours a week in "
                        f"{', '.join(lot.localities)}; current yearly spend {lot.annual_value}"
                        f"{'; larger than a small provider could take on' if lot.too_big_for_sme else ''}"),
        "status": status,
        "value": _value(lot.annual_value * CONTRACT_YEARS),
    }
    if tender.deadline is not None:
        start, end = contract_period(tender.standstill_ends or tender.deadline, tender.contract_start)
        lot_json["contractPeriod"] = {"startDate": _day(start), "endDate": _day(end)}
    return lot_json


def _tender(snap: Snapshot) -> dict[str, Any]:
    tender = snap.tender
    rules = tender.rules
    data: dict[str, Any] = {
        "id": tender.ref, "title": tender.title, "description": tender.description or tender.title,
        "status": TENDER_STATUS[tender.status],
        "procuringEntity": _org(tender.consortium.lead_code, snap.names),
        "value": _value(tender.annual_value * CONTRACT_YEARS),
        "procurementMethod": "open",
        "procurementMethodDetails": "Joint tender of a consortium; framework with call-off contracts; sealed bids",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria" if rules.quality_weight > 0 else "priceOnly",
        "awardCriteriaDetails": rules.describe(),
        "submissionMethod": ["electronicSubmission"],
        "lots": [_lot(s, tender, {a.lot_code for a in snap.awards}) for s in tender.lots],
        "items": [{"id": s.lot.code, "description": s.lot.name, "quantity": _amount_q(s.lot.weekly_quantity),
                   "unit": {"name": "hour (per week)"}, "relatedLot": s.lot.code} for s in tender.lots],
    }
    if tender.published_at is not None and tender.deadline is not None:
        data["tenderPeriod"] = {"startDate": _time(tender.published_at), "endDate": _time(tender.deadline)}
    if tender.opened_at is not None:
        data["numberOfTenderers"] = len(snap.tenderers)
        data["tenderers"] = [_org(code, snap.names) for code in snap.tenderers]
    return data


def _amount_q(quantity: Any) -> str:
    return f"\u0000{quantity:.2f}\u0000"


def _award_id(line: AwardLine, tender: TenderView) -> str:
    """One award per lot and provider: named by them, stable across releases, and no row number (a count across
    every tender, drafts included)."""
    return f"{tender.ref}-award-{line.lot_code}-{line.provider_code}"


def _award(line: AwardLine, tender: TenderView, names: dict[str, str]) -> dict[str, Any]:
    pending = not tender.standstill_over
    start, end = contract_period(tender.standstill_ends, tender.contract_start)  # type: ignore[arg-type]
    return {
        "id": _award_id(line, tender),
        "title": f"{line.lot_name}: {line.weekly_quantity:,} hours a week",
        "description": f"{line.weekly_quantity:,} hours a week at {line.price} an hour: {line.annual_value} a year"
                       f"{' (decision made by the team with a recorded reason)' if line.source == 'override' else ''}",
        "status": "pending" if pending else "active",
        "date": _time(tender.awarded_at),  # type: ignore[arg-type]
        "value": _value(line.annual_value * CONTRACT_YEARS),
        "suppliers": [_org(line.provider_code, names)],
        "relatedLots": [line.lot_code],
        "contractPeriod": {"startDate": _day(start), "endDate": _day(end)},
    }


def _contract(line: AwardLine, tender: TenderView) -> dict[str, Any]:
    return {
        "id": line.contract_ref, "awardID": _award_id(line, tender),
        "title": f"Call-off: {line.lot_name} ({line.provider_name})",
        "status": "active" if line.start and line.start <= tender.now.date() else "pending",
        "period": {"startDate": _day(line.start), "endDate": _day(line.end)},  # type: ignore[arg-type]
        "value": _value(line.annual_value * CONTRACT_YEARS),
        "dateSigned": _time(tender.contracted_at),  # type: ignore[arg-type]
    }


# What each stage of a tender publishes, by its release tag. A tender's releases are: its tender release when
# published, an amendment for each change after that, an update when its bids are opened (how many, and who), a
# cancellation, the award once confirmed, and the contracts.
STAGE_TAGS = {"tender": "tender", "amendment": "tenderAmendment", "opening": "tenderUpdate",
              "cancellation": "tenderCancellation", "award": "award", "contract": "contract"}


@dataclass(frozen=True)
class Release:
    """A release as kept: which of the tender's releases it is (``key``: "tender-1", "award"), its stage, its date,
    and everything else it says (``body``)."""

    key: str
    stage: str
    date: datetime
    body: dict[str, Any]


def release_key(stage: str, version: int) -> str:
    """A tender release and its amendments are numbered by the tender's version; the other stages come once."""
    return f"tender-{version}" if stage in ("tender", "amendment") else stage


def release_body(snap: Snapshot, stage: str) -> dict[str, Any]:
    """What the tender's ``stage`` release says, as the tender stands now (its moment)."""
    tender = snap.tender
    body: dict[str, Any] = {"buyer": _org(tender.consortium.lead_code, snap.names), "parties": _parties(snap),
                            "tender": _tender(snap)}
    if stage in ("award", "contract"):
        body["awards"] = [_award(a, tender, snap.names) for a in snap.awards]
    if stage == "contract":
        body["contracts"] = [_contract(a, tender) for a in snap.awards if a.contract_ref]
    return body


def packaged(ocid: str, release: Release) -> dict[str, Any]:
    return {"ocid": ocid, "id": f"{ocid}-{release.key}", "date": _time(release.date),
            "tag": [STAGE_TAGS[release.stage]], "initiationType": "tender", "language": "en", **release.body}


def first_release(snap: Snapshot) -> Release:
    """The tender release of a tender published before releases were kept, built from how it stands now."""
    return Release("tender-1", "tender", snap.tender.published_at, release_body(snap, "tender"))  # type: ignore[arg-type]


def current_releases(snap: Snapshot) -> list[Release]:
    """The releases of a tender published before releases were kept, built from how it stands now: its tender
    release (a cancellation, if it was cancelled), the award, the contracts."""
    tender = snap.tender
    if tender.published_at is None:
        return []
    stage = "cancellation" if tender.status is TenderStatus.CANCELLED else "tender"
    out = [Release(f"tender-{tender.version}", stage, tender.published_at, release_body(snap, stage))]
    if tender.awarded_at is not None and snap.awards:
        out.append(Release("award", "award", tender.awarded_at, release_body(snap, "award")))
        if tender.contracted_at is not None:
            out.append(Release("contract", "contract", tender.contracted_at, release_body(snap, "contract")))
    return out


def release_package(ocid: str, releases: list[Release], *, uri: str, published: datetime) -> dict[str, Any]:
    return {"uri": uri, "version": "1.1", "extensions": [LOTS_EXTENSION], "publishedDate": _time(published),
            "publisher": PUBLISHER, "license": LICENSE, "releases": [packaged(ocid, r) for r in releases]}


def compiled(snap: Snapshot) -> dict[str, Any]:
    """The compiled release's body: everything as it stands now (the last of the releases built from it), so an
    award whose standstill has ended reads active though its award release, kept as published, says pending."""
    return current_releases(snap)[-1].body


def record_package(ocid: str, releases: list[Release], compiled_body: dict[str, Any], *, uri: str,
                   package_uri: str, published: datetime) -> dict[str, Any]:
    """One record: every release, oldest first, and the compiled release (the latest state of everything)."""
    found = [packaged(ocid, r) for r in releases]
    record: dict[str, Any] = {"ocid": ocid, "releases": found}
    if found:
        latest = found[-1]
        record["compiledRelease"] = {**packaged(ocid, Release("compiled", "tender", published, compiled_body)),
                                     "id": f"{ocid}-compiled", "date": latest["date"], "tag": ["compiled"]}
    return {"uri": uri, "version": "1.1", "extensions": [LOTS_EXTENSION], "publishedDate": _time(published),
            "publisher": PUBLISHER, "license": LICENSE, "packages": [package_uri], "records": [record]}
