import contextlib
import uuid
from datetime import date
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import realization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.db.engine import Database
from carepool.db.retry import in_transaction
from carepool.ledger import beancount, service
from carepool.ledger.model import AccountType, Posting, TransactionDraft
from carepool.partners.model import OrgKind
from tests.integration.helpers import add_organisations

APRIL = date(2025, 4, 1)


@pytest.fixture
def ledger(database: Database) -> Database:
    add_organisations(database, ("E06000019", "Herefordshire Council", OrgKind.LOCAL_AUTHORITY),
                      ("QGH", "NHS Herefordshire and Worcestershire ICB", OrgKind.NHS_COMMISSIONER))
    with database.uow() as uow:
        for owner, code, name, kind, guard in [
            ("E06000019", "POOL:Bank", "Pool bank", AccountType.ASSET, True),
            ("E06000019", "POOL:Contributions:E06000019", "Council contribution", AccountType.INCOME, False),
            ("E06000019", "POOL:Contributions:QGH", "ICB contribution", AccountType.INCOME, False),
            ("E06000019", "POOL:Spend:ICES", "Equipment spend", AccountType.EXPENSE, False),
        ]:
            service.open_account(uow=uow, actor="test", owner=owner, code=code, name=name, type=kind,
                                 opened_on=APRIL, no_overdraft=guard)
        uow.commit()
    return database


def _draft(key: str, amount: str, debit: str = "POOL:Bank", credit: str = "POOL:Contributions:QGH",
           on: date = APRIL) -> TransactionDraft:
    money = Money.parse(amount)
    return TransactionDraft(key, on, f"{key} {amount}", (Posting(debit, money), Posting(credit, -money)))


def _post(database: Database, draft: TransactionDraft) -> service.Posted:
    return in_transaction(database, lambda uow: service.post(uow=uow, actor="test", draft=draft))


def test_post_is_idempotent_and_refuses_a_reused_key(ledger: Database) -> None:
    first = _post(ledger, _draft("q1-icb", "141000.00"))
    again = _post(ledger, _draft("q1-icb", "141000.00"))
    assert again.transaction_id == first.transaction_id and again.replayed and not first.replayed
    with pytest.raises(CarepoolError, match="already used for a different transaction"):
        _post(ledger, _draft("q1-icb", "141000.01"))
    with ledger.uow() as uow:
        assert service.balance(uow=uow, code="POOL:Bank") == Money.parse("141000.00")


def test_no_overdraft_account_refuses_and_nothing_is_written(ledger: Database) -> None:
    _post(ledger, _draft("in", "100.00"))
    with pytest.raises(CarepoolError, match="may not be overdrawn"):
        _post(ledger, _draft("out", "100.01", debit="POOL:Spend:ICES", credit="POOL:Bank"))
    with ledger.uow() as uow:
        assert service.balance(uow=uow, code="POOL:Bank") == Money(10000)
        assert service.trial_balance(uow=uow).total == Money(0)


def test_reversal_corrects_without_editing_and_only_once(ledger: Database) -> None:
    posted = _post(ledger, _draft("spend-1", "250.00", debit="POOL:Spend:ICES", credit="POOL:Contributions:QGH"))
    in_transaction(ledger, lambda uow: service.reverse(uow=uow, actor="test", transaction_id=posted.transaction_id,
                                                       key="spend-1-rev", on=date(2025, 5, 1)))
    with ledger.uow() as uow:
        assert service.balance(uow=uow, code="POOL:Spend:ICES") == Money(0)
        assert service.balance(uow=uow, code="POOL:Spend:ICES", as_at=APRIL) == Money(25000)
    with pytest.raises(CarepoolError, match="already reversed"):
        in_transaction(ledger, lambda uow: service.reverse(uow=uow, actor="test",
                                                           transaction_id=posted.transaction_id,
                                                           key="spend-1-rev-2", on=date(2025, 5, 1)))


def test_unknown_account_and_unbalanced_transaction(ledger: Database) -> None:
    with pytest.raises(CarepoolError, match="account NOPE not found"):
        _post(ledger, _draft("x", "1.00", debit="NOPE"))
    unbalanced = (Posting("POOL:Bank", Money(100)), Posting("POOL:Spend:ICES", Money(1)))
    bad = TransactionDraft("y", APRIL, "bad", unbalanced)
    with pytest.raises(CarepoolError, match="sum to zero"):
        _post(ledger, bad)


def test_beancount_agrees_with_our_balances(ledger: Database) -> None:
    _post(ledger, _draft("c1", "282000.00", credit="POOL:Contributions:E06000019"))
    _post(ledger, _draft("c2", "282000.00"))
    _post(ledger, _draft("s1", "564000.00", debit="POOL:Spend:ICES", credit="POOL:Bank"))
    with ledger.uow() as uow:
        text = beancount.export(uow=uow)
        trial = service.trial_balance(uow=uow).lines
        ours = {beancount.beancount_name(a.code, a.type): amount for a, amount in trial}
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    real = realization.realize(entries)
    for name, amount in ours.items():
        account = realization.get(real, name)
        position = account.balance.get_currency_units("GBP").number
        assert Money.parse(position) == amount, name


SPENDABLE = ["POOL:Contributions:QGH", "POOL:Spend:ICES", "POOL:Contributions:E06000019"]
moves_strategy = st.lists(st.tuples(st.sampled_from(SPENDABLE), st.integers(min_value=1, max_value=10**8)),
                          min_size=1, max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves_strategy)
def test_trial_balance_is_always_zero(ledger: Database, moves: list[tuple[str, int]]) -> None:
    run = uuid.uuid4().hex
    for index, (account, pence) in enumerate(moves):
        other = "POOL:Bank" if account == "POOL:Spend:ICES" else "POOL:Spend:ICES"
        draft = TransactionDraft(f"{run}-{index}", APRIL, "move",
                                 (Posting(other, Money(pence)), Posting(account, Money(-pence))))
        with contextlib.suppress(CarepoolError):  # a refused overdraft must leave the books balanced too
            _post(ledger, draft)
    with ledger.uow() as uow:
        trial = service.trial_balance(uow=uow)
        assert trial.total == Money(0)
        assert all(a.natural(b) >= Money(0) for a, b in trial.lines if a.no_overdraft)


def test_cli_trial_balance_and_export(ledger: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from carepool.cli import main

    monkeypatch.setenv("CAREPOOL_DATABASE_URL", ledger.url)
    _post(ledger, _draft("c1", "1234.56"))
    assert main(["ledger", "trial-balance"]) == 0
    out = capsys.readouterr().out
    assert "£1,234.56" in out and "Total of all balances: £0.00" in out
    assert main(["ledger", "export", "--out", str(tmp_path / "pool.beancount")]) == 0
    entries, errors, _ = loader.load_file(str(tmp_path / "pool.beancount"))
    assert errors == [] and entries
    assert main(["ledger", "trial-balance", "--as-at", "31/03/2026"]) == 2
