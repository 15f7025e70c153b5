"""Whatever the monthly actuals and corrections, the pool's ledger balances and its stored settlement adds up."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepool.core.money import Money
from carepool.db.engine import Database
from carepool.ledger import service as ledger
from carepool.pooled_budget import monitoring, service, yearend
from tests.integration.pooled_budget.builders import BRENT, ICB, agreed, agreement_json, partners_and_users

OPERATOR = service.Operator("test")
SCHEMES = ["REAB", "ICES", "LDP"]


def _agreement() -> dict[str, object]:
    """Reablement 40/60 with carry-forward; equipment proportional; placements capped with excess unallocated."""
    data = agreement_json()
    schemes = data["schemes"]
    assert isinstance(schemes, list)
    schemes[1]["underspend"] = {"rule": "carry_forward"}
    schemes.append({"id": "LDP", "name": "Learning disability placements",
                    "contributions": {BRENT: "90000.00", ICB: "30000.00"},
                    "overspend": {"rule": "capped", "base": "proportional", "caps": {ICB: "1000.00"},
                                  "excess": "unallocated"}})
    return data


figure = st.tuples(st.sampled_from(SCHEMES), st.integers(1, 12), st.sampled_from([BRENT, ICB]),
                   st.integers(0, 25_000_000))


def _month(n: int) -> str:
    return f"{2025 + (n > 9)}-{(n + 2) % 12 + 1:02d}"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(figure, min_size=1, max_size=12), min_size=1, max_size=3))
def test_ledger_balances_and_settlement_adds_up(database: Database, batches: list[list[tuple[str, int, str, int]]]
                                                ) -> None:
    if not getattr(database, "_pool_partners", False):
        partners_and_users(database)
        database._pool_partners = True  # type: ignore[attr-defined]  # one set of partners per database
    pool = agreed(database, OPERATOR, _agreement()).id  # proposed at the command line, accepted by both partners
    given = {(s, n) for batch in batches for s, n, _src, _p in batch}
    every_month = [(s, n, BRENT, 0) for s in SCHEMES for n in range(1, 13) if (s, n) not in given]
    # later batches correct earlier figures; then every month of every scheme is in, March's Reablement last
    for batch in [b for b in (*batches, every_month, [("REAB", 12, BRENT, 1)]) if b]:
        entries = {(s, n, src): {"scheme_id": s, "month": _month(n), "source": src, "actual": Money(p).plain()}
                   for s, n, src, p in batch}
        with database.uow() as uow:
            monitoring.record_entries(uow=uow, by=OPERATOR, agreement_id=pool, entries=list(entries.values()))
    with database.uow() as uow:
        statement = yearend.settle_year(uow=uow, by=OPERATOR, agreement_id=pool)
    with database.uow() as uow:
        stored = service.get(uow=uow, agreement_id=pool, by=OPERATOR)
        assert ledger.trial_balance(uow=uow, prefix=stored.chart.prefix + ":").total == Money(0)
        actual = Money.sum(f.actual for f in monitoring.figures(uow=uow, stored=stored))
        assert yearend.check_ledger(uow=uow, stored=stored) == []
    assert statement.total_actual == actual
    assert statement.total_final_cost == (actual + statement.money("carried_forward") - statement.money("unallocated"))
