"""Load the demo consortium into a fresh database and write its exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, inspect, select

from carepool.core.errors import CarepoolError
from carepool.db import meta
from carepool.db.engine import Database
from carepool.db.migrate import upgrade
from carepool.demo import data
from carepool.partners import access, io, service
from carepool.partners.service import Located, PartnerBatch
from carepool.partners.tables import OrganisationRow

DEMO_MARKER = "demo_database"
ACTOR = "demo"


def _has_real_data(database: Database) -> bool:
    """True when the database holds organisations that the demo did not put there."""
    tables = inspect(database.engine).get_table_names()
    if "organisations" not in tables:
        return False
    with database.uow() as uow:
        has_orgs = uow.session.execute(select(OrganisationRow.code).limit(1)).first() is not None
        is_demo = "app_meta" in tables and meta.get(uow, DEMO_MARKER) is not None
    return has_orgs and not is_demo


def reset_database(database: Database, *, force: bool) -> None:
    """Empty the database for the demo; refuse to wipe data the demo did not create."""
    if _has_real_data(database) and not force:
        raise CarepoolError(
            f"{database.engine.url.render_as_string()} holds organisations that are not demo data; "
            "point CAREPOOL_DATABASE_URL at another database or pass --force to replace it",
            kind="conflict",
        )
    existing = MetaData()
    existing.reflect(database.engine)
    existing.drop_all(database.engine)
    upgrade(database)


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    localities: int
    population_rows: int
    users: list[data.DemoUser]
    files: list[Path]


Step = Callable[[str], None]


def load_partners(database: Database) -> int:
    batch = PartnerBatch(
        organisations=[Located(o) for o in data.organisations()],
        localities=[Located(loc) for loc in data.localities()],
        populations=[Located(p) for p in data.populations()],
    )
    with database.uow() as uow:
        meta.put(uow, DEMO_MARKER, "yes")
        summary = service.import_batch(uow=uow, actor=ACTOR, batch=batch, what="demo consortium")
    return summary.organisations


def load_users(database: Database) -> None:
    for user in data.users():
        with database.uow() as uow:
            access.create_user(uow=uow, actor=ACTOR, email=user.email, name=user.name,
                               organisation_code=user.organisation_code, roles=list(user.roles),
                               password=data.DEMO_PASSWORD)


def write_exports(database: Database, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with database.uow() as uow:
        tables = {
            "organisations": service.list_organisations(uow=uow),
            "localities": service.list_localities(uow=uow),
            "populations": service.list_populations(uow=uow),
        }
    workbook = out_dir / "partners.xlsx"
    io.write_partner_file(workbook, tables)
    files = [workbook]
    for table, items in tables.items():
        path = out_dir / f"{table}.csv"
        io.write_partner_file(path, {table: items})
        files.append(path)
    return files
