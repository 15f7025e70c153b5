from pathlib import Path

import pytest
from openpyxl import Workbook

from carepool.cli import main
from carepool.db.engine import Database
from carepool.partners import service
from tests.integration.helpers import counts

GOOD_ORGS = """code,name,kind,sme
E09000005,London Borough of Brent,local_authority,no
QRV,NHS North West London ICB,nhs_commissioner,
1-101234567,Kindly Care Ltd,provider,yes
"""


def test_good_csv_imports_and_exports_round_trip(cli_env: Database, tmp_path: Path) -> None:
    (tmp_path / "orgs.csv").write_text(GOOD_ORGS)
    assert main(["orgs", "import", str(tmp_path / "orgs.csv")]) == 0
    (tmp_path / "locs.csv").write_text("code,name,council_code,nhs_code\nBRENT-N,Brent North,E09000005,QRV\n")
    assert main(["orgs", "import", str(tmp_path / "locs.csv")]) == 0
    assert main(["orgs", "export", str(tmp_path / "out.xlsx")]) == 0
    with cli_env.uow() as uow:
        assert [o.code for o in service.list_organisations(uow=uow)] == ["QRV", "E09000005", "1-101234567"]
        assert service.list_localities(uow=uow)[0].council_code == "E09000005"
    # re-importing the export changes nothing and is accepted
    assert main(["orgs", "import", str(tmp_path / "out.xlsx")]) == 0
    assert counts(cli_env) == (3, 0)


def test_malformed_csv_names_row_and_column_and_writes_nothing(
    cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "partners.csv"
    bad.write_text(GOOD_ORGS + "E0900005,Nowhere,local_authority,no\nRXX,Acme,provider,maybe\n")
    assert main(["orgs", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "partners.csv, row 5, column code" in err
    assert "GSS code" in err
    assert "partners.csv, row 6, column sme: expected yes or no, got 'maybe'" in err
    assert "nothing was imported" in err
    assert "Traceback" not in err
    assert counts(cli_env) == (0, 0)


def test_malformed_excel_names_sheet_row_and_column_and_writes_nothing(
    cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = Workbook()
    orgs = workbook.active
    orgs.title = "Organisations"
    orgs.append(["code", "name", "kind", "sme"])
    orgs.append(["E09000009", "London Borough of Ealing", "local_authority", "no"])
    orgs.append(["QRV", "NHS North West London ICB", "nhs_commissioner", None])
    localities = workbook.create_sheet("Localities")
    localities.append(["code", "name", "council_code", "nhs_code"])
    localities.append(["EALING-A", "Ealing and Acton", "E09000009", "QRV"])
    populations = workbook.create_sheet("Populations")
    populations.append(["locality_code", "age_band", "year", "count"])
    populations.append(["EALING-A", "65-74", 2026, 9000])
    populations.append(["EALING-A", "75-84", 2026, -3])
    populations.append(["EALING-Z", "85+", 2026, 100])
    path = tmp_path / "partners.xlsx"
    workbook.save(path)
    assert main(["orgs", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "partners.xlsx, sheet Populations, row 3, column count: expected zero or more, got -3" in err
    assert "partners.xlsx, sheet Populations, row 4, column locality_code: EALING-Z is not a known locality" in err
    assert "Traceback" not in err
    assert counts(cli_env) == (0, 0)


def test_locality_must_point_at_a_council_and_an_nhs_body(
    cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "orgs.csv").write_text(GOOD_ORGS)
    assert main(["orgs", "import", str(tmp_path / "orgs.csv")]) == 0
    (tmp_path / "locs.csv").write_text("code,name,council_code,nhs_code\nX-1,Somewhere,QRV,E09000005\n")
    assert main(["orgs", "import", str(tmp_path / "locs.csv")]) == 2
    err = capsys.readouterr().err
    assert "QRV is not a known local authority" in err
    assert "E09000005 is not a known NHS commissioner" in err


def test_unrecognised_file_is_refused(cli_env: Database, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.csv").write_text("colour,size\nred,2\n")
    assert main(["orgs", "import", str(tmp_path / "x.csv")]) == 2
    assert "header not recognised" in capsys.readouterr().err
    (tmp_path / "x.txt").write_text("hello")
    assert main(["orgs", "import", str(tmp_path / "x.txt")]) == 2
    assert main(["orgs", "import", str(tmp_path / "missing.csv")]) == 2
