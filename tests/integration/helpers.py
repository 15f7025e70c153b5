"""Small builders so integration tests read like the domain."""

from __future__ import annotations

import re
import time
from typing import Any, Protocol

from sqlalchemy import func, select

from carepool.db.engine import Database
from carepool.partners import access, service
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.partners.tables import OrganisationRow, PopulationRow

PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient(Protocol):  # Starlette's TestClient and httpx.Client alike
    headers: Any

    def get(self, url: str, **kwargs: Any) -> Any: ...
    def post(self, url: str, **kwargs: Any) -> Any: ...


def csrf_token(client: WebClient) -> str:
    """The session's form token, read from a page as a browser would."""
    found = CSRF_FIELD.search(client.get("/login").text)
    assert found is not None, "the sign-in page has no csrf_token field"
    return found.group(1)


def sign_in(client: WebClient, email: str, password: str = PASSWORD, **kwargs: Any) -> Any:
    """Sign in through the form; later posts send the new session's token as the X-CSRF-Token header."""
    client.headers.pop("X-CSRF-Token", None)  # an earlier session's token would be checked before the form's
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client),
                                           **kwargs.pop("data", {})}, **kwargs)
    client.headers["X-CSRF-Token"] = csrf_token(client)
    return response


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


def job_ended(client: WebClient, url: str, timeout: float = 120) -> dict[str, Any]:
    """Poll a background job's status URL, as its page does, until the job has ended; its last status."""
    deadline = time.monotonic() + timeout
    while (job := client.get(url).json())["status"] == "running":
        assert time.monotonic() < deadline, f"the job at {url} still runs after {timeout} s: {job}"
        time.sleep(0.1)
    return job
