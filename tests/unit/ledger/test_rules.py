from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from carepool.core.money import Money
from carepool.ledger.model import Posting, TransactionDraft, reversal_of, validate_draft


def _draft(*amounts: int, key: str = "k1") -> TransactionDraft:
    postings = tuple(Posting(f"ACC{i}", Money(a)) for i, a in enumerate(amounts))
    return TransactionDraft(key, date(2025, 4, 1), "Contribution", postings)


def test_balanced_draft_passes() -> None:
    assert validate_draft(_draft(500, -300, -200)) == []


def test_every_rule_reports() -> None:
    assert "postings must sum to zero; they sum to £0.01" in validate_draft(_draft(100, -99))
    assert "a transaction needs at least two postings" in validate_draft(_draft(0))
    assert "a posting of zero moves nothing; leave it out" in validate_draft(_draft(0, 5, -5))
    assert "idempotency key must be 1 to 200 characters" in validate_draft(_draft(1, -1, key=" "))


def test_an_amount_beyond_what_the_ledger_stores_is_refused_before_storage() -> None:
    assert validate_draft(_draft(2**63 - 1, -(2**63 - 1))) == []
    assert validate_draft(_draft(2**63, -(2**63))) == [
        "a posting may be at most £92,233,720,368,547,758.07 either way, the most the ledger can store"]


def test_fingerprint_depends_on_the_body() -> None:
    assert _draft(1, -1).fingerprint() == _draft(1, -1).fingerprint()
    assert _draft(1, -1).fingerprint() != _draft(2, -2).fingerprint()


@given(st.lists(st.integers(min_value=-10**9, max_value=10**9).filter(bool), min_size=1, max_size=8))
def test_a_balanced_transaction_and_its_reversal_net_to_nothing(amounts: list[int]) -> None:
    postings = (*(Posting(f"A{i}", Money(a)) for i, a in enumerate(amounts)), Posting("SUSPENSE", Money(-sum(amounts))))
    postings = tuple(p for p in postings if p.amount)
    draft = TransactionDraft("k", date(2025, 4, 1), "x", postings)
    if len(postings) >= 2:
        assert validate_draft(draft) == []
    reversed_postings = reversal_of(postings)
    assert Money.sum(p.amount for p in postings + reversed_postings) == Money(0)
