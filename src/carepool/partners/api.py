"""JSON routes under /api/partners and /api/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, UploadFile

from carepool.core.errors import not_found
from carepool.partners import access, io, service, user_admin
from carepool.partners.model import Caller, Role, parse_kind
from carepool.partners.schemas import (
    CallerRead,
    ColleagueCreate,
    ImportSummaryRead,
    LocalityRead,
    OrganisationRead,
    OrganisationUpdate,
    PopulationRead,
    TokensRevokedRead,
    UserRead,
    UserUpdate,
)
from carepool.web.deps import CallerDep, UowDep, require
from carepool.web.uploads import read_upload, upload_name

router = APIRouter(prefix="/api", tags=["partners"])


@router.get("/me")
def me(caller: CallerDep) -> CallerRead:
    """Who the token or session belongs to."""
    return CallerRead.of(caller)


@router.get("/partners/organisations")
def list_organisations(caller: CallerDep, uow: UowDep, kind: str | None = None) -> list[OrganisationRead]:
    """The directory of partner organisations (a provider sees the partners and itself, not other providers)."""
    orgs = service.directory_for(uow=uow, caller=caller, kind=parse_kind(kind) if kind else None)
    return [OrganisationRead.model_validate(o) for o in orgs]


@router.get("/partners/organisations/{code}")
def get_organisation(code: str, caller: CallerDep, uow: UowDep) -> OrganisationRead:
    return OrganisationRead.model_validate(service.organisation_for(uow=uow, caller=caller, code=code))


@router.patch("/partners/organisations/{code}")
def update_organisation(code: str, body: OrganisationUpdate, caller: CallerDep, uow: UowDep) -> OrganisationRead:
    """Change your own organisation's name and, for a provider, its SME flag (its admins only; any other
    organisation answers not found). A provider with users of its own is changed this way only: the consortium's
    imports may not change its name or SME flag."""
    changed = service.update_own_organisation(uow=uow, caller=caller, code=code, name=body.name, sme=body.sme)
    return OrganisationRead.model_validate(changed)


@router.get("/partners/organisations/{code}/users")
def list_users(code: str, caller: CallerDep, uow: UowDep) -> list[UserRead]:
    """Users of an organisation: only its own admins may see them."""
    return [UserRead.model_validate(u) for u in access.list_users(uow=uow, caller=caller, organisation_code=code)]


@router.post("/partners/organisations/{code}/users", status_code=201)
def add_colleague(code: str, body: ColleagueCreate, caller: CallerDep, uow: UowDep) -> UserRead:
    """Add a user to your own organisation (its admins), with roles its people may hold."""
    if code.strip().upper() != caller.organisation_code:
        raise not_found(f"users of organisation {code}")
    return UserRead.model_validate(access.add_colleague(uow=uow, caller=caller, email=body.email, name=body.name,
                                                        roles=body.roles, password=body.password))


@router.patch("/partners/organisations/{code}/users/{email}")
def update_colleague(code: str, email: str, body: UserUpdate, caller: CallerDep, uow: UowDep) -> UserRead:
    """Change a user's roles (`roles`) or deactivate or reactivate them (`active`), in your own organisation (its
    admins; a user of any other answers not found). Deactivating ends their sessions and revokes their tokens."""
    manager = user_admin.Manager.of(caller)
    user = user_admin.find(uow=uow, manager=manager, organisation_code=code, email=email)
    if body.roles is not None:
        user = user_admin.set_roles(uow=uow, manager=manager, organisation_code=code, email=email, roles=body.roles,
                                    commit=False)
    if body.active is not None:
        user = user_admin.set_active(uow=uow, manager=manager, organisation_code=code, email=email,
                                     active=body.active, commit=False)
    uow.commit()
    return UserRead.model_validate(user)


@router.post("/partners/organisations/{code}/users/{email}/tokens/revoke")
def revoke_tokens(code: str, email: str, caller: CallerDep, uow: UowDep) -> TokensRevokedRead:
    """Revoke every API token of a user of your own organisation (its admins); says how many were revoked."""
    done = user_admin.revoke_tokens(uow=uow, manager=user_admin.Manager.of(caller), organisation_code=code,
                                    email=email)
    return TokensRevokedRead(email=done.user.email, revoked=done.revoked)


@router.get("/partners/localities")
def list_localities(caller: CallerDep, uow: UowDep) -> list[LocalityRead]:
    return [LocalityRead.model_validate(loc) for loc in service.list_localities(uow=uow)]


@router.get("/partners/populations")
def list_populations(caller: CallerDep, uow: UowDep) -> list[PopulationRead]:
    return [PopulationRead.model_validate(p) for p in service.list_populations(uow=uow)]


@router.post("/partners/import")
def import_partners(
    file: UploadFile, uow: UowDep, caller: Annotated[Caller, Depends(require(Role.ADMIN))],
) -> ImportSummaryRead:
    """Import organisations, localities and populations from CSV or Excel; all or nothing (admins)."""
    batch = read_upload(file, io.read_partner_file, uow=uow)
    summary = service.import_batch(uow=uow, actor=caller.actor, batch=batch, what=upload_name(file), caller=caller)
    return ImportSummaryRead.model_validate(summary)
