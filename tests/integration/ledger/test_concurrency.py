"""8 workers x 500 transfers between the same two accounts, on PostgreSQL.

Every transfer is posted by two different workers under the same idempotency key,
in both directions, so retries race each other for real.
"""

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.db.engine import Database
from carepool.db.retry import in_transaction
from carepool.ledger import service
from carepool.ledger.model import AccountType, Posting, TransactionDraft
from carepool.ledger.tables import LedgerAccountRow, LedgerPostingRow, LedgerTransactionRow
from carepool.partners.model import OrgKind
from tests.integration.helpers import add_organisations

pytestmark = pytest.mark.postgres
WORKERS, PER_WORKER = 8, 500
DAY = date(2025, 4, 1)


def _transfers() -> list[TransactionDraft]:
    rng = random.Random(75)
    drafts = []
    for i in range(WORKERS * PER_WORKER // 2):
        source, target = ("A", "B") if rng.random() < 0.5 else ("B", "A")
        amount = Money(rng.randint(1, 40_000))
        drafts.append(TransactionDraft(f"t{i}", DAY, f"transfer {i}",
                                       (Posting(target, amount), Posting(source, -amount))))
    return drafts


def test_concurrent_transfers_lose_nothing_and_post_nothing_twice(pg_database: Database) -> None:
    add_organisations(pg_database, ("E06000019", "Herefordshire Council", OrgKind.LOCAL_AUTHORITY))
    with pg_database.uow() as uow:
        for code, kind, guard in [("A", AccountType.ASSET, True), ("B", AccountType.ASSET, True),
                                  ("FUNDING", AccountType.INCOME, False)]:
            service.open_account(uow=uow, actor="test", owner="E06000019", code=code, name=code, type=kind,
                                 opened_on=DAY, no_overdraft=guard)
        seed = Money.parse("1000.00")
        service.post(uow=uow, actor="test", draft=TransactionDraft(
            "seed", DAY, "seed", (Posting("A", seed), Posting("B", seed), Posting("FUNDING", -seed - seed))))
        uow.commit()

    transfers = _transfers()
    half = len(transfers) // WORKERS  # worker w posts transfers [w*half, w*half + PER_WORKER) (wrapping)

    def worker(w: int) -> tuple[int, int, int]:
        posted = replayed = refused = 0
        for j in range(PER_WORKER):
            draft = transfers[(w * half + j) % len(transfers)]
            try:
                result = in_transaction(pg_database, lambda uow, d=draft: service.post(uow=uow, actor=f"w{w}", draft=d))
            except CarepoolError as error:
                assert "may not be overdrawn" in error.message, error.message
                refused += 1
                continue
            if result.replayed:
                replayed += 1
            else:
                posted += 1
        return posted, replayed, refused

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(worker, range(WORKERS)))
    posted = sum(r[0] for r in results)
    replayed = sum(r[1] for r in results)
    refused = sum(r[2] for r in results)
    assert posted + replayed + refused == WORKERS * PER_WORKER

    with pg_database.uow() as uow:
        session = uow.session
        keys = list(session.execute(select(LedgerTransactionRow.idempotency_key)).scalars())
        assert len(keys) == len(set(keys)) == posted + 1  # nothing posted twice (+1 for the seed)
        assert posted <= len(transfers)
        accounts = {row.code: row for row in session.execute(select(LedgerAccountRow)).scalars()}
        for code, row in accounts.items():
            assert row.balance == service.balance(uow=uow, code=code), code  # cached balance = sum of postings
        assert service.trial_balance(uow=uow).total == Money(0)
        # Both accounts are locked by every transfer, so id order is the order they took effect in.
        running = {accounts["A"].id: 0, accounts["B"].id: 0}
        rows = session.execute(select(LedgerPostingRow).order_by(LedgerPostingRow.transaction_id)).scalars()
        for posting in rows:
            if posting.account_id in running:
                running[posting.account_id] += posting.amount.pence
                assert running[posting.account_id] >= 0, "a no-overdraft account went below zero"
