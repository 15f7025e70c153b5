"""Ledger postings per second on PostgreSQL: `ledger.service.post` against a plain INSERT loop.

Each transaction has two postings (a pooled fund's month of spend: debit spend, credit
creditors) and commits on its own, as a web request or an import row would. The
baseline inserts the same two rows into a bare table, one commit each, on the same
server in the same run, so the ratio is the price of the ledger's guarantees
(idempotency key, balance check under row locks, running balances, the audit chain).

Database: CAREPOOL_BENCH_DATABASE_URL, else CAREPOOL_TEST_DATABASE_URL, else
postgresql+psycopg://postgres@127.0.0.1:5432/test; a fresh database is created and
dropped. Skips with a message when PostgreSQL is unreachable.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.engine import make_url

from carepool.core.money import Money
from carepool.db.engine import Database, normalise_url
from carepool.db.migrate import upgrade
from carepool.ledger import service as ledger
from carepool.ledger.model import AccountType, Posting, TransactionDraft
from carepool.partners import service as partners
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COUNT = 2_000  # transactions per side
TIME_LIMIT = 20.0  # seconds per side at most; the rate is measured on what was done
ON = date(2025, 4, 30)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"carepool_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database: Database) -> None:
    upgrade(database)
    with database.uow() as uow:
        batch = PartnerBatch(organisations=[Located(Organisation("E09000005", "London Borough of Brent",
                                                                 OrgKind.LOCAL_AUTHORITY))])
        partners.import_batch(uow=uow, actor="bench", batch=batch)
    with database.uow() as uow:
        for code, kind in (("POOL-B:Spend:REAB", AccountType.EXPENSE), ("POOL-B:Creditors", AccountType.LIABILITY)):
            ledger.open_account(uow=uow, actor="bench", owner="E09000005", code=code, name=code, type=kind,
                                opened_on=ON)
        uow.commit()


def timed(work: Callable[[int], None], count: int) -> tuple[int, float]:
    start = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - start < TIME_LIMIT:
        work(done)
        done += 1
    return done, time.perf_counter() - start


def through_the_ledger(database: Database, prefix: str) -> Callable[[int], None]:
    def post(i: int) -> None:
        amount = Money(100_000 + i)
        draft = TransactionDraft(f"{prefix}:{i}", ON, f"Reablement spend {i}",
                                 (Posting("POOL-B:Spend:REAB", amount), Posting("POOL-B:Creditors", -amount)))
        with database.uow() as uow:
            ledger.post(uow=uow, actor="bench", draft=draft)
            uow.commit()

    return post


def plain_inserts(database: Database) -> Callable[[int], None]:
    table = Table("bench_postings", MetaData(), Column("id", Integer, primary_key=True),
                  Column("key", String(200)), Column("account", String(120)), Column("amount", BigInteger))
    table.create(database.engine)

    def insert_two(i: int) -> None:
        with database.engine.begin() as conn:
            conn.execute(insert(table), [{"key": f"plain:{i}", "account": "POOL-B:Spend:REAB", "amount": 100_000 + i},
                                         {"key": f"plain:{i}", "account": "POOL-B:Creditors", "amount": -100_000 - i}])

    return insert_two


def main() -> int:
    url = normalise_url(os.environ.get("CAREPOOL_BENCH_DATABASE_URL")
                        or os.environ.get("CAREPOOL_TEST_DATABASE_URL") or DEFAULT_URL)
    try:
        probe = create_engine(url)
        with probe.connect():
            pass
        probe.dispose()
    except Exception as error:  # unreachable server, wrong password, no driver: skip, do not fail
        print(f"skipped: PostgreSQL at {make_url(url).render_as_string()} is not reachable ({type(error).__name__})")
        return 0
    with fresh_database(url) as bench_url:
        database = Database(bench_url)
        try:
            prepare(database)
            through_the_ledger(database, "warm")(0)  # first-use costs (statement caches) out of the timing
            ledger_done, ledger_time = timed(through_the_ledger(database, "bench"), COUNT)
            plain_done, plain_time = timed(plain_inserts(database), COUNT)
            with database.uow() as uow:
                balance = ledger.trial_balance(uow=uow, prefix="POOL-B:").total
        finally:
            database.dispose()
    ledger_rate, plain_rate = ledger_done / ledger_time, plain_done / plain_time
    print(f"PostgreSQL, one commit per transaction of 2 postings ({make_url(url).host})")
    print(f"  ledger.service.post : {ledger_done:>5} transactions in {ledger_time:5.2f} s = "
          f"{ledger_rate:8.0f} transactions/s = {2 * ledger_rate:8.0f} postings/s")
    print(f"  plain INSERT loop   : {plain_done:>5} transactions in {plain_time:5.2f} s = "
          f"{plain_rate:8.0f} transactions/s = {2 * plain_rate:8.0f} rows/s")
    print(f"  ratio plain / ledger: {plain_rate / ledger_rate:.1f}x  (trial balance after the run: {balance})")
    return 0 if not balance else 1


if __name__ == "__main__":
    sys.exit(main())
