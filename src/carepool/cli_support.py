"""What every feature's CLI shares: the database from settings, the actor, the console."""

from __future__ import annotations

import contextlib
import getpass
import threading
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from carepool.config import Settings
from carepool.db.engine import Database
from carepool.db.migrate import upgrade
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller

console = Console(highlight=False)


def wide_console() -> Console:
    """The console, or one 160 columns wide when output goes to a pipe or a file (tables not wrapped at 80)."""
    return console if console.is_terminal else Console(highlight=False, width=160)


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


@contextlib.contextmanager
def count_bar(describe: str) -> Iterator[Callable[[int, int], None]]:
    """A bar of work done out of a count (``update(done, total)``) on standard error, drawn only when that is a
    terminal, as ``time_bar``'s."""
    errors = Console(stderr=True, highlight=False)
    if not errors.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f} of {task.total:.0f}"),
               TimeElapsedColumn())
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task(describe, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


@contextlib.contextmanager
def time_bar(seconds: float, *, describe: str = "starting") -> Iterator[Callable[[str], None] | None]:
    """A bar across ``seconds`` (for work bounded by a time limit) on standard error, which stays clean
    of standard output (JSON there stays parseable); yields a function that changes the words shown,
    or None when standard error is not a terminal (pipes, CI, tests): then nothing is drawn."""
    errors = Console(stderr=True, highlight=False)
    if not errors.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), TextColumn(f"of {seconds:g} s"))
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task(describe, total=seconds)
        done = threading.Event()

        def tick() -> None:
            began = time.perf_counter()
            while not done.wait(0.2):
                progress.update(task, completed=min(time.perf_counter() - began, seconds))

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield lambda words: progress.update(task, description=words)
        finally:
            done.set()
            ticker.join()


AS_HELP = "Email of the user to act as: their organisation and roles apply, and the audit trail names them"


@contextlib.contextmanager
def acting_as(email: str, *, reads_only: bool = False) -> Iterator[tuple[UnitOfWork, Caller]]:
    """One unit of work and the named user's ``Caller``, so a command is checked and audited as that user
    would be on the web (an unknown email is a not-found error, a deactivated user forbidden). ``reads_only``:
    a reading unit of work, as a web page's GET has (one consistent snapshot, no writes)."""
    from carepool.partners import access

    database = open_database()
    try:
        with database.uow(reads_only=reads_only) as uow:
            yield uow, access.caller_for_email(uow=uow, email=email)
    finally:
        database.dispose()
