"""What every feature's CLI shares: the database from settings, the actor, the console."""

from __future__ import annotations

import getpass

from rich.console import Console

from carepool.config import Settings
from carepool.db.engine import Database
from carepool.db.migrate import upgrade

console = Console(highlight=False)


def open_database(settings: Settings | None = None, *, migrate: bool = True) -> Database:
    """Open the configured database, bringing its schema up to date first."""
    database = Database((settings or Settings.from_env()).database_url)
    if migrate:
        upgrade(database)
    return database


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
