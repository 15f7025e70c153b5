"""Pages: the partner directory, one organisation, and the import form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from carepool.core.errors import HTTP_STATUS, CarepoolError
from carepool.partners import access, import_rights, io, registration, service, throttle, user_admin
from carepool.partners.model import PARTNER_ROLES, Caller, OrgKind, Role
from carepool.web.deps import CallerDep, UowDep, begin_session, client_address, require
from carepool.web.flash import flash, take_flash
from carepool.web.rendering import render
from carepool.web.uploads import read_upload, upload_name

router = APIRouter(include_in_schema=False)
NAV = (10, "Partners", "/partners", PARTNER_ROLES)


@router.get("/partners")
def directory(request: Request, caller: CallerDep, uow: UowDep, kind: str | None = None) -> Response:
    chosen = OrgKind(kind) if kind in {k.value for k in OrgKind} else None
    organisations = service.directory_for(uow=uow, caller=caller, kind=chosen)
    return render(request, "partners/directory.html",
                  {"organisations": organisations, "kinds": list(OrgKind), "chosen": chosen,
                   "can_import": import_rights.edits_directory(caller)}, caller=caller)


@router.get("/partners/import")
def import_form(request: Request, caller: Annotated[Caller, Depends(require(Role.ADMIN))]) -> Response:
    import_rights.check_directory_editor(caller)
    return render(request, "partners/import.html", {"error": None, "summary": None}, caller=caller)


@router.post("/partners/import")
def import_upload(
    request: Request, file: UploadFile, uow: UowDep,
    caller: Annotated[Caller, Depends(require(Role.ADMIN))],
) -> Response:
    import_rights.check_directory_editor(caller)
    try:
        batch = read_upload(file, io.read_partner_file, uow=uow)
        summary = service.import_batch(uow=uow, actor=caller.actor, batch=batch, what=upload_name(file),
                                       caller=caller)
    except CarepoolError as error:
        return render(request, "partners/import.html", {"error": error, "summary": None},
                      caller=caller, status_code=HTTP_STATUS.get(error.kind, 422))
    return render(request, "partners/import.html", {"error": None, "summary": summary}, caller=caller)


def _organisation_page(request: Request, code: str, caller: Caller, uow: UowDep, *, error: CarepoolError | None = None,
                       typed: dict[str, Any] | None = None, status_code: int = 200,
                       details_error: CarepoolError | None = None,
                       users_error: CarepoolError | None = None) -> Response:
    org = service.organisation_for(uow=uow, caller=caller, code=code)
    localities = [loc for loc in service.list_localities(uow=uow) if org.code in (loc.council_code, loc.nhs_code)]
    users, tokens = None, {}
    if org.code == caller.organisation_code and caller.has(Role.ADMIN):
        users = access.list_users(uow=uow, caller=caller, organisation_code=org.code)
        tokens = user_admin.live_tokens(uow=uow, organisation_code=org.code)
    return render(request, "partners/organisation.html",
                  {"org": org, "localities": localities, "users": users, "tokens": tokens,
                   "roles": access.roles_for(org.kind), "error": error, "details_error": details_error,
                   "users_error": users_error, "typed": typed or {},
                   "notice": take_flash(request)},
                  caller=caller, status_code=status_code)


@router.get("/partners/{code}")
def organisation(request: Request, code: str, caller: CallerDep, uow: UowDep) -> Response:
    return _organisation_page(request, code, caller, uow)


@router.post("/partners/{code}/users")
def add_colleague(
    request: Request, code: str, caller: CallerDep, uow: UowDep, email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    if code.strip().upper() != caller.organisation_code:
        raise CarepoolError(f"users of organisation {code} not found", kind="not_found")
    try:
        added = access.add_colleague(uow=uow, caller=caller, email=email, name=name, roles=roles or [],
                                     password=password)
    except CarepoolError as error:
        if error.kind == "forbidden":
            raise
        uow.rollback()
        return _organisation_page(request, code, caller, uow, error=error, status_code=HTTP_STATUS.get(error.kind, 400),
                                  typed={"email": email, "name": name, "roles": roles or []})
    flash(request, f"{added.name} ({added.email}) can now sign in with the password you set: give it to them "
          "in person or by phone, and ask them to keep it to themselves.", to=f"/partners/{caller.organisation_code}")
    return RedirectResponse(f"/partners/{caller.organisation_code}", status_code=303)


def _manage(request: Request, code: str, caller: Caller, uow: UowDep, change: Callable[[user_admin.Manager], str],
            ) -> Response:
    """Apply one change to a colleague's access and come back to the users table saying what was done; a refusal
    (the last admin, oneself, a role the organisation's people may not hold) is said there too."""
    if code.strip().upper() != caller.organisation_code:
        raise CarepoolError(f"users of organisation {code} not found", kind="not_found")
    caller.require(Role.ADMIN)
    try:
        said = change(user_admin.Manager.of(caller))
    except CarepoolError as error:
        if error.kind == "not_found":
            raise
        uow.rollback()
        return _organisation_page(request, code, caller, uow, users_error=error,
                                  status_code=HTTP_STATUS.get(error.kind, 400))
    home = f"/partners/{caller.organisation_code}"
    flash(request, said, to=home)
    return RedirectResponse(f"{home}#users", status_code=303)


@router.post("/partners/{code}/users/{email}/deactivate")
def deactivate(request: Request, code: str, email: str, caller: CallerDep, uow: UowDep) -> Response:
    def change(manager: user_admin.Manager) -> str:
        user = user_admin.set_active(uow=uow, manager=manager, organisation_code=code, email=email, active=False)
        return (f"{user.name} ({user.email}) is deactivated: signed out everywhere, their API tokens revoked. "
                "The change is in your audit trail.")
    return _manage(request, code, caller, uow, change)


@router.post("/partners/{code}/users/{email}/reactivate")
def reactivate(request: Request, code: str, email: str, caller: CallerDep, uow: UowDep) -> Response:
    def change(manager: user_admin.Manager) -> str:
        user = user_admin.set_active(uow=uow, manager=manager, organisation_code=code, email=email, active=True)
        return f"{user.name} ({user.email}) can sign in again with their password."
    return _manage(request, code, caller, uow, change)


@router.post("/partners/{code}/users/{email}/roles")
def change_roles(request: Request, code: str, email: str, caller: CallerDep, uow: UowDep,
                 roles: Annotated[list[str] | None, Form()] = None) -> Response:
    def change(manager: user_admin.Manager) -> str:
        user = user_admin.set_roles(uow=uow, manager=manager, organisation_code=code, email=email,
                                    roles=roles or [])
        return f"{user.name} ({user.email}) now holds {', '.join(r.value for r in user.roles)}, from their next page."
    return _manage(request, code, caller, uow, change)


@router.post("/partners/{code}/users/{email}/revoke-tokens")
def revoke_tokens(request: Request, code: str, email: str, caller: CallerDep, uow: UowDep) -> Response:
    def change(manager: user_admin.Manager) -> str:
        done = user_admin.revoke_tokens(uow=uow, manager=manager, organisation_code=code, email=email)
        return (f"Revoked {done.revoked} API token{'' if done.revoked == 1 else 's'} of {done.user.name} "
                f"({done.user.email}).")
    return _manage(request, code, caller, uow, change)


@router.post("/partners/{code}/details")
def update_details(
    request: Request, code: str, caller: CallerDep, uow: UowDep, name: Annotated[str, Form()] = "",
    sme: Annotated[str, Form()] = "",
) -> Response:
    """Its own admins change the organisation's name and (a provider) its SME flag."""
    if code.strip().upper() != caller.organisation_code:
        raise CarepoolError(f"organisation {code} not found", kind="not_found")
    try:
        changed = service.update_own_organisation(uow=uow, caller=caller, code=code, name=name,
                                                  sme={"yes": True, "no": False}.get(sme))
    except CarepoolError as error:
        if error.kind != "invalid":
            raise
        uow.rollback()
        return _organisation_page(request, code, caller, uow, details_error=error, status_code=422,
                                  typed={"org_name": name, "sme": sme})
    said = f" ({'an' if changed.sme else 'not an'} SME)" if changed.kind is OrgKind.PROVIDER else ""
    flash(request, f"Saved: {changed.name}{said}. The change is in your audit trail.",
          to=f"/partners/{caller.organisation_code}")
    return RedirectResponse(f"/partners/{caller.organisation_code}", status_code=303)


def _registration_open(request: Request) -> None:
    if not request.app.state.settings.open_registration:
        raise CarepoolError("registration is closed here: ask the consortium running the tender for an account",
                            kind="not_found")


@router.get("/register")
def register_form(request: Request) -> Response:
    _registration_open(request)
    return render(request, "partners/register.html", {"error": None, "typed": {}})


@router.post("/register")
def register(
    request: Request, uow: UowDep, code: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
    sme: Annotated[str, Form()] = "", person: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "", password_again: Annotated[str, Form()] = "",
) -> Response:
    _registration_open(request)
    answered = {"yes": True, "no": False}.get(sme)
    form = registration.ProviderRegistration(code, name, answered, person, email, password, password_again)
    try:
        caller = throttle.register(uow=uow, form=form, client=client_address(request))
    except CarepoolError as error:
        typed = {"code": code, "name": name, "sme": sme, "person": person, "email": email}
        return render(request, "partners/register.html", {"error": error, "typed": typed},
                      status_code=HTTP_STATUS.get(error.kind, 400))
    begin_session(request, uow, caller)
    flash(request, f"{caller.organisation_name} is registered and you are signed in: open a tender to bid.",
          "notice", to="/tenders")
    return RedirectResponse("/tenders", status_code=303)
