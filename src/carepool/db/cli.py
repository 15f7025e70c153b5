"""`carepool db ...`"""

import typer

from carepool.cli_support import console, open_database
from carepool.db.migrate import current_revision

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration not yet applied (SQLite or PostgreSQL)."""
    database = open_database()
    console.print(f"database at revision {current_revision(database)}: {database.engine.url.render_as_string()}")
