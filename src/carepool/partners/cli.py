"""`carepool orgs ...` and `carepool users ...`"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.table import Table

from carepool.cli_support import AS_HELP, acting_as, cli_actor, console, open_database
from carepool.db.uow import UnitOfWork
from carepool.partners import access, io, service, user_admin
from carepool.partners.model import parse_kind

orgs_app = typer.Typer(help="Organisations, localities and populations.", no_args_is_help=True)
users_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@orgs_app.command("list")
def list_command(
    kind: str = typer.Option(None, help="nhs_commissioner, local_authority, gp_cluster or provider"),
) -> None:
    """List organisations."""
    database = open_database()
    with database.uow() as uow:
        organisations = service.list_organisations(uow=uow, kind=parse_kind(kind) if kind else None)
    table = Table("code", "name", "kind", "SME")
    for org in organisations:
        table.add_row(org.code, org.name, org.kind.label, "yes" if org.sme else "")
    console.print(table)
    console.print(f"{len(organisations)} organisations")


@orgs_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="A .csv (one table) or .xlsx (sheets Organisations, Localities, "
                                "Populations)"),
    as_user: str = typer.Option(None, "--as", help=AS_HELP + "; without it you import as the operator, who may "
                                "change any record"),
) -> None:
    """Import organisations, localities and populations; all or nothing."""
    batch = io.read_partner_file(file)
    if as_user:
        with acting_as(as_user) as (uow, caller):
            summary = service.import_batch(uow=uow, actor=caller.actor, batch=batch, what=file.name, caller=caller)
    else:
        database = open_database()
        with database.uow() as uow:
            summary = service.import_batch(uow=uow, actor=cli_actor(), batch=batch, what=file.name)
    console.print(f"imported {summary.organisations} organisations, {summary.localities} localities, "
                  f"{summary.populations} population rows from {file.name}")


@orgs_app.command("export")
def export_command(
    file: Path = typer.Argument(..., help="Where to write: .xlsx (all tables) or .csv (one table)"),
    table: str = typer.Option(None, help="organisations, localities or populations (needed for .csv)"),
) -> None:
    """Export organisations, localities and populations."""
    database = open_database()
    with database.uow() as uow:
        tables = {
            "organisations": service.list_organisations(uow=uow),
            "localities": service.list_localities(uow=uow),
            "populations": service.list_populations(uow=uow),
        }
    if table:
        if table not in tables:
            raise typer.BadParameter("expected organisations, localities or populations", param_hint="--table")
        tables = {table: tables[table]}
    io.write_partner_file(file, tables)
    console.print(f"wrote {file}")


@users_app.command("create")
def create_user_command(
    email: str, organisation: str = typer.Option(..., help="Organisation code, e.g. E09000005"),
    name: str = typer.Option(..., help="Full name"),
    role: list[str] = typer.Option(..., help="viewer, commissioner, finance, procurement, provider or admin"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a user in an organisation."""
    database = open_database()
    with database.uow() as uow:
        user = access.create_user(uow=uow, actor=cli_actor(), email=email, name=name,
                                  organisation_code=organisation, roles=role, password=password)
    console.print(f"created {user.email} ({', '.join(r.value for r in user.roles)}) in {user.organisation_code}")


@users_app.command("token")
def token_command(email: str, label: str = typer.Option("cli", help="What the token is for")) -> None:
    """Issue an API bearer token for a user (shown once; only its hash is kept)."""
    database = open_database()
    with database.uow() as uow:
        token = access.issue_token(uow=uow, actor=cli_actor(), email=email, label=label)
    print(token)


@users_app.command("list")
def list_users_command() -> None:
    """List users (operators only: you hold the database)."""
    database = open_database()
    with database.uow() as uow:
        users = access.list_all_users(uow=uow)
    table = Table("email", "name", "organisation", "roles", "state")
    for u in users:
        table.add_row(u.email, u.name, u.organisation_code, ", ".join(r.value for r in u.roles),
                      "active" if u.active else "deactivated")
    console.print(table)


_MANAGE_AS_HELP = AS_HELP + " (an admin of the user's organisation); without it you act as the operator"


@contextlib.contextmanager
def _managing(as_user: str | None) -> Iterator[tuple[UnitOfWork, user_admin.Manager]]:
    if as_user:
        with acting_as(as_user) as (uow, caller):
            yield uow, user_admin.Manager.of(caller)
        return
    database = open_database()
    try:
        with database.uow() as uow:
            yield uow, user_admin.Manager(cli_actor())
    finally:
        database.dispose()


def _home(manager: user_admin.Manager) -> str | None:
    return manager.caller.organisation_code if manager.caller else None


@users_app.command("deactivate")
def deactivate_command(email: str, as_user: str = typer.Option(None, "--as", help=_MANAGE_AS_HELP)) -> None:
    """Deactivate a user who has left: they cannot sign in, and their sessions and API tokens stop working."""
    with _managing(as_user) as (uow, manager):
        user = user_admin.set_active(uow=uow, manager=manager, organisation_code=_home(manager), email=email,
                                     active=False)
    console.print(f"deactivated {user.email}: signed out everywhere, API tokens revoked")


@users_app.command("reactivate")
def reactivate_command(email: str, as_user: str = typer.Option(None, "--as", help=_MANAGE_AS_HELP)) -> None:
    """Let a deactivated user sign in again with their password (their old API tokens stay revoked)."""
    with _managing(as_user) as (uow, manager):
        user = user_admin.set_active(uow=uow, manager=manager, organisation_code=_home(manager), email=email,
                                     active=True)
    console.print(f"reactivated {user.email}: they can sign in again with their password")


@users_app.command("roles")
def roles_command(
    email: str,
    role: list[str] = typer.Option(..., help="Every role the user holds from now on (repeat --role)"),
    as_user: str = typer.Option(None, "--as", help=_MANAGE_AS_HELP),
) -> None:
    """Set a user's roles (all of them), from those their organisation's people may hold."""
    with _managing(as_user) as (uow, manager):
        user = user_admin.set_roles(uow=uow, manager=manager, organisation_code=_home(manager), email=email,
                                    roles=role)
    console.print(f"{user.email} now holds {', '.join(r.value for r in user.roles)}")


@users_app.command("revoke-tokens")
def revoke_tokens_command(email: str, as_user: str = typer.Option(None, "--as", help=_MANAGE_AS_HELP)) -> None:
    """Revoke every API token of a user."""
    with _managing(as_user) as (uow, manager):
        done = user_admin.revoke_tokens(uow=uow, manager=manager, organisation_code=_home(manager), email=email)
    console.print(f"revoked {done.revoked} API token{'' if done.revoked == 1 else 's'} of {done.user.email}")
