"""The `carepool` command: one Typer app mounting each feature's sub-app.

Errors a user can act on (``CarepoolError``) print one clear message to stderr
and exit with the code of their kind; nothing prints a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from carepool.audit.cli import app as audit_app
from carepool.core.errors import EXIT_CODES, CarepoolError
from carepool.db.cli import app as db_app
from carepool.demo.cli import demo
from carepool.ledger.cli import app as ledger_app
from carepool.partners.cli import orgs_app, users_app
from carepool.pooled_budget.cli import app as pool_app
from carepool.procurement.cli import app as tender_app

app = typer.Typer(
    help="carepool: joint commissioning of health and social care, to the penny.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(ledger_app, name="ledger")
app.add_typer(pool_app, name="pool")
app.command("demo")(demo)
app.add_typer(tender_app, name="tender")



@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the web pages and the JSON API (OpenAPI at /api/docs)."""
    import uvicorn

    from carepool.cli_support import open_database
    from carepool.partners.access import list_all_users
    from carepool.web.app import create_app

    database = open_database()
    with database.uow() as uow:
        if not list_all_users(uow=uow):
            typer.echo("No users yet: run `make demo` (or `carepool demo`) for the demo consortium, "
                       "or `carepool users create` to add one.", err=True)
    typer.echo(f"carepool on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    uvicorn.run(create_app(database=database), host=host, port=port, log_level="info")


_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (testable without a subprocess)."""
    try:
        app(args=argv, prog_name="carepool")
    except CarepoolError as error:
        _stderr.print(f"error: {error}", markup=False)
        return EXIT_CODES.get(error.kind, 2)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def run() -> None:
    """Console-script wrapper: exit with ``main``'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
