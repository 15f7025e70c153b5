"""A year of a pooled budget on SQLite and PostgreSQL: agreement, contributions, monthly imports
(a good workbook, a bad one that writes nothing, a correction), the forecast by hand, a variation
both partners must approve, and the year-end settlement posted to a ledger that balances."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.ledger import service as ledger
from carepool.ledger.tables import LedgerTransactionRow
from carepool.pooled_budget import monitoring, payments, service, variations, yearend
from carepool.pooled_budget.changes import MoveContribution, SetContribution
from carepool.pooled_budget.forecast import outturn
from carepool.pooled_budget.settlement import check_settlement, settle
from tests.integration.pooled_budget.builders import (
    BRENT,
    ICB,
    MARCUS,
    PRIYA,
    agreed,
    balance,
    caller,
    ledger_csv,
    ledger_xlsx,
    m,
    partners_and_users,
)


def _transactions(database: Database) -> int:
    with database.uow() as uow:
        return uow.session.execute(select(func.count()).select_from(LedgerTransactionRow)).scalar_one()


def _figures(database: Database, pool: int) -> int:
    with database.uow() as uow:
        stored = service.get(uow=uow, agreement_id=pool, by=service.Operator("test"))
        return len(monitoring.figures(uow=uow, stored=stored))


def test_a_year_of_the_pool(database: Database, tmp_path: Path) -> None:
    partners_and_users(database)
    priya, marcus = caller(database, PRIYA), caller(database, MARCUS)

    # the agreement, once both partners accepted it: accounts opened, each partner's contribution (schemes +
    # contingency) posted as due
    stored = agreed(database, priya)
    pool, chart = stored.id, stored.chart
    assert balance(database, chart.due(BRENT)) == m("546000") and balance(database, chart.due(ICB)) == m("786000")
    assert balance(database, chart.contributions(ICB)) == m("-786000")

    # the ICB pays its first quarter; the same reference again is the same payment; overpaying is refused
    for _ in range(2):
        with database.uow() as uow:
            payments.record_payment(uow=uow, by=priya, agreement_id=pool, partner=ICB, amount=m("393000"),
                                   on=stored.agreement.year.first_day, reference="Q1-QRV")
    assert balance(database, chart.bank) == m("393000") and balance(database, chart.due(ICB)) == m("393000")
    with database.uow() as uow, pytest.raises(CarepoolError, match=r"has £393,000\.00 of its contribution left"):
        payments.record_payment(uow=uow, by=priya, agreement_id=pool, partner=ICB, amount=m("393000.01"),
                               on=stored.agreement.year.first_day, reference="Q2-QRV")

    # April to June from both ledgers in one go: Brent's workbook and the ICB's CSV
    brent = ledger_xlsx(tmp_path / "brent-ledger.xlsx", {"Actuals": [
        ["REAB", "2025-04", BRENT, 40000, None], ["REAB", "2025-05", BRENT, 44000, None],
        ["REAB", "2025-06", BRENT, "48000.00", "6000"], ["ICES", "Jun 2025", BRENT, 9000, 0]]})
    icb = ledger_csv(tmp_path / "icb-ledger.csv", [
        ["REAB", "2025-04", ICB, "60000.00", ""], ["REAB", "2025-05", ICB, "66000.00", ""],
        ["REAB", "2025-06", ICB, "72000.00", "9000.00"]])
    with database.uow() as uow:
        summary = monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=[brent, icb])
    assert (summary.new, summary.spend_posted) == (7, m("339000"))

    # a bad workbook is named by sheet, row and column, and nothing of it is written
    posted_before = _transactions(database)
    bad = ledger_xlsx(tmp_path / "brent-july.xlsx", {"Actuals": [
        ["REAB", "2025-07", BRENT, 50000, 0], ["REAB", "2025-07", "E09000009", "oops", 0]]})
    with database.uow() as uow, pytest.raises(CarepoolError) as error:
        monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=[bad])
    problems = [str(p) for p in error.value.problems]
    assert "monthly actuals: 2 problems; nothing was imported" in error.value.message
    assert any(p.startswith("brent-july.xlsx, sheet Actuals, row 3, column source: 'E09000009' is not a partner")
               for p in problems)
    assert any(p.startswith("brent-july.xlsx, sheet Actuals, row 3, column actual:") for p in problems)
    assert _transactions(database) == posted_before and _figures(database, pool) == 7

    # importing the same files again changes nothing; a corrected June posts only the difference
    with database.uow() as uow:
        again = monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=[brent, icb])
    assert (again.unchanged, again.spend_posted, _transactions(database)) == (7, m("0"), posted_before)
    corrected = ledger_csv(tmp_path / "brent-june-corrected.csv", [["REAB", "2025-06", BRENT, "50000.00", "6000"]])
    with database.uow() as uow:
        fixed = monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=[corrected])
    assert (fixed.corrected, fixed.spend_posted) == (1, m("2000"))
    assert balance(database, stored.spend_accounts["REAB"]) == m("332000")

    # the forecast by hand at June: Reablement 332,000 to date + 15,000 committed + 9 x 332,000 / 3
    # = 1,343,000, 143,000 over; the 12,000 contingency first, then 131,000 split 40/60.
    # Equipment: 9,000 + 9 x 9,000 / 3 = 36,000, 84,000 under, returned 50/50.
    with database.uow() as uow:
        watch = monitoring.monitor(uow=uow, by=marcus, agreement_id=pool)
    reab, ices = watch.forecast.schemes
    assert (reab.actual_to_date, reab.commitments, reab.projected, reab.forecast) == (
        m("332000"), m("15000"), m("996000"), m("1343000"))
    assert (ices.forecast, ices.variance) == (m("36000"), m("-84000"))
    assert ("Overspend on Reablement £131,000.00: split 40/60 under the fixed-shares rule (London Borough of Brent "
            "£52,400.00, NHS North West London ICB £78,600.00)") in watch.forecast.outcome.explanation()
    icb_position = next(p for p in watch.forecast.outcome.partners if p.code == ICB)
    assert icb_position.final_cost == m("786000") + m("78600") - m("42000")

    # a variation takes effect only when both partners have approved it
    move = MoveContribution(ICB, "ICES", "REAB", m("20000"))
    with database.uow() as uow:
        variations.propose(uow=uow, by=priya, agreement_id=pool, description="winter pressure", changes=[move])
    with database.uow() as uow:
        first = variations.decide(uow=uow, by=priya, agreement_id=pool, number=1, decision="approve")
    assert first.status == "proposed" and first.waiting_for == (ICB,)
    with database.uow() as uow:
        assert service.get(uow=uow, agreement_id=pool, by=priya).scheme("REAB").budget == m("1200000")
        with pytest.raises(CarepoolError, match="already approved variation 1"):
            variations.decide(uow=uow, by=priya, agreement_id=pool, number=1, decision="approve")
    with database.uow() as uow:
        done = variations.decide(uow=uow, by=marcus, agreement_id=pool, number=1, decision="approve")
    assert done.status == "approved" and [d.partner for d in done.decisions] == [BRENT, ICB]
    with database.uow() as uow:
        varied = service.get(uow=uow, agreement_id=pool, by=priya)
        icb_events = audit.list_events(uow=uow, organisation=ICB)
    assert varied.scheme("REAB").contributions[ICB] == m("740000")
    assert varied.scheme("ICES").contributions[ICB] == m("40000")
    assert any(e.action == "pool.variation_approved" and e.actor == f"user:{MARCUS}" for e in icb_events)
    # a variation that changes a partner's total posts the difference as due
    with database.uow() as uow:
        variations.propose(uow=uow, by=marcus, agreement_id=pool, description="more equipment",
                           changes=[SetContribution("ICES", BRENT, m("70000"))])
    for who in (marcus, priya):
        with database.uow() as uow:
            variations.decide(uow=uow, by=who, agreement_id=pool, number=2, decision="approve")
    assert balance(database, chart.due(BRENT)) == m("556000")

    # the year cannot be settled before March's figures are in
    with database.uow() as uow, pytest.raises(CarepoolError, match="the year is not complete"):
        yearend.settle_year(uow=uow, by=priya, agreement_id=pool)
    later = [{"scheme_id": "REAB", "month": f"{2025 + (n > 9)}-{(n + 2) % 12 + 1:02d}", "source": BRENT,
              "actual": "110000.00"} for n in range(4, 13)]
    later += [{"scheme_id": "ICES", "month": f"{2025 + (n > 9)}-{(n + 2) % 12 + 1:02d}", "source": ICB,
               "actual": "11000.00"} for n in range(4, 13)]
    later += [{"scheme_id": "ICES", "month": month, "source": BRENT, "actual": "0"} for month in ("2025-04", "2025-05")]
    with database.uow() as uow:
        monitoring.record_entries(uow=uow, by=marcus, agreement_id=pool, entries=later)
        recorded = audit.list_events(uow=uow, organisation=ICB, entity_type="pool_agreement", entity_id=str(pool))
    said = next(e.after for e in recorded if e.action == "pool.actuals_recorded")  # what, when and whose
    assert said["months"][0] == "Apr 2025" and said["months"][-1] == "Mar 2026" and "Jun 2025" not in said["months"]
    assert len(said["schemes"]) == 2 and len(said["sources"]) == 2

    # year end, by hand (July to March: Reablement 110,000 a month, equipment 11,000): Reablement 1,322,000 on
    # 1,220,000: 102,000 over, 12,000 from the contingency, 90,000 split 40/60 (36,000 / 54,000).
    # Equipment 108,000 on 110,000: 2,000 under, returned 70:40
    # (1,272.73 / 727.27). Brent 556,000 + 36,000 - 1,272.73; the ICB 786,000 + 54,000 - 727.27.
    with database.uow() as uow, pytest.raises(CarepoolError, match="only the host"):
        yearend.settle_year(uow=uow, by=marcus, agreement_id=pool)
    with database.uow() as uow:
        statement = yearend.settle_year(uow=uow, by=priya, agreement_id=pool)
    lines = {p.code: p for p in statement.partners}
    assert lines[BRENT].final_cost == m("590727.27") and lines[ICB].final_cost == m("839272.73")
    assert lines[BRENT].balance == m("590727.27") and lines[ICB].balance == m("446272.73")
    assert statement.total_final_cost == statement.total_actual == m("1430000")
    # what each owes is on one account: its share and the contribution it had not paid (Brent all 556,000; the
    # ICB 393,000 of 786,000), moved there from Due
    assert balance(database, chart.settlement(BRENT)) == m("590727.27")  # 34,727.27 + 556,000
    assert balance(database, chart.settlement(ICB)) == m("446272.73")  # 53,272.73 + 393,000
    assert balance(database, chart.due(BRENT)) == balance(database, chart.due(ICB)) == m("0")
    with database.uow() as uow:
        settled = service.get(uow=uow, agreement_id=pool, by=marcus)
        assert ledger.trial_balance(uow=uow, prefix=chart.prefix + ":").total == m("0")
        assert yearend.check_ledger(uow=uow, stored=settled) == []
        result = settle(outturn(settled.agreement, monitoring.figures(uow=uow, stored=settled)))
        assert check_settlement(result) == []
        assert yearend.get_statement(uow=uow, by=marcus, agreement_id=pool) == statement

    # settling again gives the same statement and posts nothing; the figures are now closed
    count = _transactions(database)
    with database.uow() as uow:
        assert yearend.settle_year(uow=uow, by=priya, agreement_id=pool) == statement
    assert _transactions(database) == count
    with database.uow() as uow, pytest.raises(CarepoolError, match="has been settled"):
        monitoring.record_entries(uow=uow, by=priya, agreement_id=pool, entries=later[:1])
    # the ICB pays what it owes, its unpaid contribution included, in two settlement payments
    for amount, reference in (("53272.73", "SETTLE-QRV"), ("393000.00", "SETTLE-QRV-2")):
        with database.uow() as uow:
            payments.record_payment(uow=uow, by=priya, agreement_id=pool, partner=ICB, amount=m(amount),
                                   on=stored.agreement.year.last_day, reference=reference, kind="settlement")
    assert balance(database, chart.settlement(ICB)) == m("0")
    with database.uow() as uow:
        now = {p.code: p for p in yearend.get_statement(uow=uow, by=marcus, agreement_id=pool).partners}
        assert yearend.check_ledger(uow=uow, stored=settled) == []
    assert (now[ICB].balance, now[ICB].paid_since, now[ICB].outstanding) == (m("446272.73"), m("446272.73"), m("0"))
    assert now[ICB].owes_words.startswith("owes nothing and is owed nothing now (owed the pool £446,272.73 at")
