"""OCDS releases are kept as they were published: a later stage adds a release and never rewrites an earlier one,
a change to a published tender is an amendment beside the first release, and a tender published before releases
were kept is still published from how it stands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete

from carepool.config import Settings
from carepool.procurement import evaluation, ocds, publication, tendering
from carepool.procurement.tables import OcdsReleaseRow
from tests.integration.procurement.conftest import World
from tests.integration.procurement.ocds_validation import validate
from tests.integration.procurement.test_ocds import LEAD, _clean, _to_contracts

PUBLISHER = Settings(ocid_prefix="ocds-test01", ocds_base_uri="https://data.example.gov.uk/ocds")


def packages(world: World, ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with world.db.uow(reads_only=True) as uow:
        return publication.packages(uow=uow, ref=ref, publisher=PUBLISHER)


def validated(tmp_path: Path, name: str, package: dict[str, Any]) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(ocds.dumps(package))
    _clean(validate(path, tmp_path / name))


def test_the_tender_release_says_what_was_known_when_it_was_published(world: World, tmp_path: Path) -> None:
    ref = world.tender()
    first = packages(world, ref)[0]["releases"]
    assert [(r["id"], r["tag"]) for r in first] == [(f"ocds-test01-{ref}-tender-1", ["tender"])]
    published = first[0]
    assert published["tender"]["status"] == "active" and "tenderers" not in published["tender"]
    world.clock.advance(days=1)
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.20", 70)
    world.clock.advance(days=14)
    world.award(ref)
    world.clock.advance(days=11)
    with world.db.uow() as uow:
        evaluation.make_contracts(uow=uow, caller=world.caller(LEAD), ref=ref)
    release, record = packages(world, ref)
    releases = release["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["award"], ["contract"]]
    assert releases[0] == published  # the first release is as it was published, word for word
    opening, award, contract = releases[1:]
    assert opening["tender"]["numberOfTenderers"] == 2 and "awards" not in opening  # who bid, once opened
    assert opening["tender"]["status"] == "active" and opening["date"] <= award["date"] < contract["date"]
    assert award["tender"]["numberOfTenderers"] == 2
    assert {a["status"] for a in award["awards"]} == {"pending"}  # in standstill on the day of the award
    assert {a["status"] for a in contract["awards"]} == {"active"} and contract["contracts"]
    assert record["records"][0]["releases"] == releases
    assert record["records"][0]["compiledRelease"]["id"] == f"ocds-test01-{ref}-compiled"
    validated(tmp_path, "release", release)
    validated(tmp_path, "record", record)


def test_a_change_after_publication_is_an_amendment_kept_beside_the_first_release(world: World,
                                                                                    tmp_path: Path) -> None:
    ref = world.tender()
    published = packages(world, ref)[0]["releases"][0]
    world.clock.advance(days=1)
    with world.db.uow() as uow:
        tendering.update_tender(uow=uow, caller=world.caller(LEAD), ref=ref, rules={"min_quality": 55})
    world.clock.advance(days=1)
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=world.caller(LEAD), ref=ref, reason="re-scoped")
    release, record = packages(world, ref)
    releases = release["releases"]
    assert [(r["id"].removeprefix(f"ocds-test01-{ref}-"), r["tag"]) for r in releases] == [
        ("tender-1", ["tender"]), ("tender-2", ["tenderAmendment"]), ("cancellation", ["tenderCancellation"])]
    assert releases[0] == published
    assert "55" in releases[1]["tender"]["awardCriteriaDetails"]
    assert "55" not in published["tender"]["awardCriteriaDetails"]
    assert releases[2]["tender"]["status"] == "cancelled" and published["tender"]["status"] == "active"
    assert record["records"][0]["releases"] == releases
    validated(tmp_path, "release", release)
    validated(tmp_path, "record", record)


def test_a_tender_published_before_releases_were_kept_is_published_as_it_stands(world: World) -> None:
    ref = _to_contracts(world)
    kept = [r["tender"] for r in packages(world, ref)[0]["releases"]]
    with world.db.uow() as uow:  # as a database upgraded with the tender already contracted
        uow.session.execute(delete(OcdsReleaseRow))
        uow.commit()
    releases = packages(world, ref)[0]["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["award"], ["contract"]]
    assert all(r["tender"] == kept[-1] for r in releases)  # each from today's tender, as before


def test_a_tender_published_before_releases_were_kept_and_awarded_since_keeps_a_tender_release(world: World) -> None:
    ref = world.tender()
    with world.db.uow() as uow:  # as a database upgraded while the tender took bids
        uow.session.execute(delete(OcdsReleaseRow))
        uow.commit()
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.20", 70)
    world.clock.advance(days=15)
    world.award(ref)
    release, record = packages(world, ref)
    assert [(r["id"].removeprefix(f"ocds-test01-{ref}-"), r["tag"]) for r in release["releases"]] == [
        ("tender-1", ["tender"]), ("opening", ["tenderUpdate"]), ("award", ["award"])]
    assert record["records"][0]["releases"] == release["releases"]


def test_the_compiled_release_is_the_tender_as_it_stands_now(world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.20", 70)
    world.clock.advance(days=15)
    world.award(ref)
    world.clock.advance(days=11)  # the standstill is over; no contracts made yet
    release, record = packages(world, ref)
    award = release["releases"][-1]
    compiled = record["records"][0]["compiledRelease"]
    assert {a["status"] for a in award["awards"]} == {"pending"}  # as published, on the day of the award
    assert {a["status"] for a in compiled["awards"]} == {"active"}  # as it stands
    assert (compiled["id"], compiled["tag"], compiled["date"]) == (f"ocds-test01-{ref}-compiled", ["compiled"],
                                                                   award["date"])
