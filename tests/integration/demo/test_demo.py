from pathlib import Path

import pytest

from carepool.cli import main
from carepool.db.engine import Database
from carepool.demo import data
from carepool.partners import access, service
from carepool.partners.model import OrgKind
from tests.integration.helpers import add_organisations


def test_demo_loads_the_consortium_and_writes_its_files(
    cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo-output"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "London Borough of Hounslow" in printed and "make serve" in printed
    with cli_env.uow() as uow:
        board = service.dashboard(uow=uow)
        caller = access.authenticate(uow=uow, email="priya@brent.demo", password=data.DEMO_PASSWORD)
    assert [c.council.code for c in board.councils] == sorted(b.code for b in data.BOROUGHS)
    assert sum(c.population for c in board.councils) == sum(b.population for b in data.BOROUGHS)
    assert board.provider_count == 40 and board.sme_provider_count == 34
    assert caller.organisation_code == "E09000005"
    assert {p.name for p in out.iterdir()} >= {"partners.xlsx", "organisations.csv", "populations.csv"}
    assert main(["audit", "verify"]) == 0
    # running the demo again replaces its own database without complaint
    assert main(["demo", "--out", str(out)]) == 0


def test_demo_refuses_to_wipe_real_data(cli_env: Database, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    add_organisations(cli_env, ("E06000019", "Herefordshire Council", OrgKind.LOCAL_AUTHORITY))
    assert main(["demo", "--out", str(tmp_path)]) == 6
    assert "not demo data" in capsys.readouterr().err
    with cli_env.uow() as uow:
        assert [o.code for o in service.list_organisations(uow=uow)] == ["E06000019"]
