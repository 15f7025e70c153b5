"""Small builders so integration tests read like the domain."""

from __future__ import annotations

from sqlalchemy import func, select

from carepool.db.engine import Database
from carepool.partners import access, service
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.partners.tables import OrganisationRow, PopulationRow

PASSWORD = "correct horse battery"


def add_organisations(database: Database, *orgs: tuple[str, str, OrgKind]) -> None:
    batch = PartnerBatch(organisations=[Located(Organisation(code, name, kind)) for code, name, kind in orgs])
    with database.uow() as uow:
        service.import_batch(uow=uow, actor="test", batch=batch)


def add_user(database: Database, email: str, org: str, *roles: str) -> None:
    with database.uow() as uow:
        access.create_user(uow=uow, actor="test", email=email, name=email.split("@")[0],
                           organisation_code=org, roles=list(roles), password=PASSWORD)


def token_for(database: Database, email: str) -> str:
    with database.uow() as uow:
        return access.issue_token(uow=uow, actor="test", email=email)


def counts(database: Database) -> tuple[int, int]:
    with database.uow() as uow:
        orgs = uow.session.execute(select(func.count()).select_from(OrganisationRow)).scalar_one()
        pops = uow.session.execute(select(func.count()).select_from(PopulationRow)).scalar_one()
    return orgs, pops
