"""Sealing, the lifecycle table, deadlines, award rules, market health and member savings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from carepool.core.errors import CarepoolError
from carepool.core.money import Money, Rounding
from carepool.procurement import engine, sealing
from carepool.procurement.award_rules import AwardRules
from carepool.procurement.model import (
    ACTIONS,
    TENDER_MOVES,
    BidContent,
    LotDesign,
    MemberShare,
    TenderStatus,
    check_move,
    contract_period,
    extended_deadline,
)

AT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
OFFER = BidContent(Money.parse("21.85"), Decimal("72.5"), Decimal("400"), Decimal("900"))


def sealed(content: BidContent = OFFER, **changes: object) -> tuple[str, str]:
    fields: dict[str, object] = {"tender": "CP-2026-001", "tender_version": 1, "lot": "HC-BRENT-KIL",
                                 "provider": "1-101000001", "submitted_at": AT, "content": content, "nonce": "ab" * 16}
    fields.update(changes)
    return sealing.seal(**fields)  # type: ignore[arg-type]


def test_the_canonical_text_is_one_spelling_and_its_hash_is_stable() -> None:
    text, digest = sealed()
    assert text == ('{"capacity":"900.00","format":"carepool-sealed-bid/1","lot":"HC-BRENT-KIL",'
                    '"max_quantity":"400.00","nonce":"abababababababababababababababab","price_per_unit":"21.85",'
                    '"provider":"1-101000001","quality":"72.50","submitted_at":"2026-03-02T09:30:15.123456+00:00",'
                    '"tender":"CP-2026-001","tender_version":1}')
    assert digest == sealing.sha256(text) and len(digest) == 64 and sealing.matches(text, digest)
    assert sealed() == (text, digest)  # same bid, same nonce: same text and hash
    assert sealing.unseal(text).content == OFFER


def test_any_change_changes_the_hash() -> None:
    _, digest = sealed()
    others = [sealed(BidContent(Money.parse("21.84"), OFFER.quality, OFFER.max_quantity, OFFER.capacity)),
              sealed(lot="HC-BRENT-KIL-2"), sealed(provider="1-101000002"), sealed(tender_version=2),
              sealed(submitted_at=AT + timedelta(microseconds=1)), sealed(nonce="cd" * 16)]
    assert len({d for _, d in others} | {digest}) == len(others) + 1
    text, _ = sealed()
    assert not sealing.matches(text.replace("21.85", "19.99"), digest)


def test_a_fresh_nonce_each_time_so_a_receipt_does_not_give_the_price_away() -> None:
    first = sealing.seal(tender="T", tender_version=1, lot="L", provider="P", submitted_at=AT, content=OFFER)
    second = sealing.seal(tender="T", tender_version=1, lot="L", provider="P", submitted_at=AT, content=OFFER)
    assert first[1] != second[1]


def test_a_bid_reference_is_random_readable_and_tells_nothing_of_other_bids() -> None:
    references = [sealing.new_reference() for _ in range(20_000)]
    assert all(sealing.REFERENCE.fullmatch(r) for r in references)  # B- and 10 of Crockford's 32 characters
    assert len(set(references)) == len(references)  # 50 random bits each: no repeats among 20,000
    assert not set("ILOU") & set("".join(r[2:] for r in references))  # nothing to misread
    assert references != sorted(references)  # no order to them
    # every character turns up about equally often (1/32 each), so none hints at a count
    counts = {c: sum(r[2:].count(c) for r in references) for c in sealing.REFERENCE_ALPHABET}
    assert min(counts.values()) > 0.8 * 200_000 / 32 and max(counts.values()) < 1.2 * 200_000 / 32


def test_a_reference_typed_by_hand_is_read_as_crockford_reads_it() -> None:
    assert sealing.clean_reference(" b-7k3m9q2xda ") == "B-7K3M9Q2XDA"
    assert sealing.clean_reference("B-7K3M9Q2XDO") == "B-7K3M9Q2XD0"  # O is 0
    assert sealing.clean_reference("B-IL3M9Q2XDA") == "B-113M9Q2XDA"  # I and L are 1
    assert sealing.clean_reference("17") is None  # not a reference: no bid has it
    assert sealing.clean_reference("B-7K3M9Q2XD\x00") is None and sealing.clean_reference("B-7K3M9Q2XDU") is None


def test_unreadable_envelopes_are_reported() -> None:
    with pytest.raises(CarepoolError, match="sealed bid cannot be read"):
        sealing.unseal('{"format": "something else"}')
    with pytest.raises(CarepoolError, match="quality must be a score from 0 to 100"):
        BidContent(Money.parse("20.00"), Decimal(101), None, None)


def test_every_action_moves_along_the_table() -> None:
    for action, (sources, target) in ACTIONS.items():
        for source in sources:
            assert (target or source) in TENDER_MOVES[source], action
    assert check_move("T", TenderStatus.CLOSED, "evaluate") is TenderStatus.EVALUATED
    with pytest.raises(CarepoolError, match="cannot confirm the award of tender T: it is closed; this needs it "
                                            "to be evaluated") as caught:
        check_move("T", TenderStatus.CLOSED, "confirm the award of")
    assert caught.value.kind == "conflict"


def test_deadlines_standstill_and_contract_period() -> None:
    deadline = AT + timedelta(days=3)
    assert extended_deadline(AT, deadline) == AT + timedelta(days=7)  # close: moved out to a week from now
    assert extended_deadline(AT, AT + timedelta(days=20)) == AT + timedelta(days=20)  # far enough: unchanged
    assert contract_period(datetime(2026, 4, 30, 12, tzinfo=UTC)) == (date(2026, 5, 1), date(2030, 4, 30))


def test_award_rules_read_and_explain_themselves() -> None:
    rules = AwardRules.parse({"max_share": "0.3", "min_sme_share": "0.25", "min_quality": "60", "max_providers": 2})
    assert rules.engine_rules() == {"objective": "cost", "quality_weight": "0.00", "max_share": "0.3",
                                    "min_sme_share": "0.25", "min_quality": "60.00"}
    assert "no provider above 30% of total value" in rules.describe()
    assert "max_share" not in rules.engine_rules(without=frozenset({"max_share"}))
    with pytest.raises(CarepoolError, match=r"Largest share one provider may win \(max_share\): must be a fraction"):
        AwardRules.parse({"max_share": "30"})
    typed = AwardRules.parse({"max_share": "30%", "min_sme_share": " 25 % ", "min_award_fraction": "0.2"})
    assert (typed.max_share, typed.min_sme_share, typed.min_award_fraction) == (
        Decimal("0.3"), Decimal("0.25"), Decimal("0.2"))
    with pytest.raises(CarepoolError, match=r"Least share small and medium providers must win \(min_sme_share\): "
                                            r"must be a fraction like 0.3 \(or 30%\), got 'a quarter'"):
        AwardRules.parse({"min_sme_share": "a quarter"})
    with pytest.raises(CarepoolError, match="between 0 and 1"):
        AwardRules.parse({"max_share": "130%"})
    with pytest.raises(CarepoolError, match="max_providers"):
        AwardRules.parse({"max_providers": 0})
    with pytest.raises(CarepoolError) as every:  # every problem at once, by the form's labels and the API's keys
        AwardRules.parse({"max_share": "1.5", "min_quality": "150", "quality_weight": "x", "max_providers": "0"})
    assert every.value.message.splitlines() == [
        "The award rules need correcting:",
        "  Largest share one provider may win (max_share): must be a fraction between 0 and 1 (e.g. 0.3 or 30%), "
        "got 1.5",
        "  Quality floor (min_quality): must be a score from 0 to 100, got 150.00",
        "  Quality weight (quality_weight): expected a number like 120.5, got 'x'",
        "  Most providers per lot (max_providers): must be a whole number from 1 to 999, got '0'"]


def test_market_health() -> None:
    health = engine.market({"A": Money.parse("600.00"), "B": Money.parse("300.00"), "C": Money.parse("100.00")},
                           smes={"C"})
    assert health.hhi == Decimal("4600.0")  # 60² + 30² + 10²
    assert health.sme_share == Decimal("0.1000") and health.winners == 3 and health.total == Money.parse("1000.00")


def test_member_savings_add_up_to_the_penny() -> None:
    shares = (MemberShare("BRENT", Decimal("600.00"), Money.parse("23.40"), 9091),
              MemberShare("ICB", Decimal("60.00"), Money.parse("24.75"), 909))
    lot = LotDesign("HC-BRENT-KIL", "Kilburn", "home-care", ("BRENT-KIL",), shares)
    yearly = Money.parse("755733.16")  # 660 h at about £22.02
    savings = engine.member_savings([lot], {"HC-BRENT-KIL": yearly})
    assert Money.sum(s.awarded for s in savings) == yearly
    assert Money.sum(s.saving for s in savings) == lot.annual_value - yearly
    icb = next(s for s in savings if s.member == "ICB")
    assert icb.baseline == Money.parse("77220.00") and icb.saving.pence > 0


def test_an_award_lines_yearly_value_is_rounded_once_and_totals_add_its_lines() -> None:
    from types import SimpleNamespace

    from carepool.award.model import Award

    price = Money.parse("20.75")
    assert engine.line_yearly(price, Decimal("478.50")) == Money.parse("516301.50")  # not 52 x £9,928.88
    assert engine.line_yearly(Money.parse("21.80"), Decimal("806.53")) == Money.parse("914282.41")  # £914,282.408
    lines = [Award("A", "L1", Decimal("478.50"), price, price.times(Decimal("478.50"), rounding=Rounding.HALF_UP)),
             Award("A", "L2", Decimal("12.25"), price, price.times(Decimal("12.25"), rounding=Rounding.HALF_UP)),
             Award("B", "L1", Decimal("1.01"), price, price.times(Decimal("1.01"), rounding=Rounding.HALF_UP))]
    result = SimpleNamespace(awards=lines)
    by_provider = engine.yearly_by_provider(result)  # type: ignore[arg-type]
    assert by_provider == {"A": Money.parse("529519.25"), "B": Money.parse("1089.79")}
    assert Money.sum(by_provider.values()) == Money.parse("530609.04")
