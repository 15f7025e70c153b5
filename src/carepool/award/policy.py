"""How the award engine splits its time between phases, chosen by the size of the tender.

Measured on the benchmark's instances (``bench/award.py``, 2 cores): up to a few thousand bids
HiGHS alone proves optimality fastest from the heuristic's plan; from there to tens of thousands
an LP-priced plan, a short neighbourhood search and then the MILP on lazily added share and SME
rules do best; beyond that the MILP's root cut loop cannot pay off in minutes, and the search
under every rule gets all the time. A caller (the benchmark, a test) can pass its own policy.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALL_BIDS = 3_000  # up to here the full MILP alone is the fastest way to a proof
HUGE_BIDS = 30_000  # beyond here the full MILP's root cut loop cannot pay off in minutes


@dataclass(frozen=True)
class SearchPolicy:
    price_with_lp: bool  # solve the LP relaxation first: a bound, and prices for a second heuristic plan
    lazy_rules: bool  # leave the share and SME rows out until a plan breaks them
    search_share: float  # of the time left after the LP, the share for the neighbourhood search
    run_milp: bool  # give the rest to the MILP (it runs anyway when there is no plan yet)
    relaxation_share: float = 0.3  # most of the time limit the LP relaxation may take
    search_alongside: bool = False  # run the neighbourhood search on another core while the MILP runs

    def __post_init__(self) -> None:
        if not 0.0 <= self.search_share <= 1.0 or not 0.0 < self.relaxation_share <= 1.0:
            raise ValueError(f"shares of the time must be fractions: {self}")

    @classmethod
    def for_size(cls, n_bids: int) -> SearchPolicy:
        if n_bids <= SMALL_BIDS:
            return cls(price_with_lp=False, lazy_rules=True, search_share=0.0, run_milp=True)
        if n_bids <= HUGE_BIDS:
            return cls(price_with_lp=True, lazy_rules=True, search_share=0.0, run_milp=True, search_alongside=True)
        return cls(price_with_lp=True, lazy_rules=False, search_share=1.0, run_milp=False)


def heuristic_seconds(time_limit: float) -> float:
    """The greedy + repair heuristic's budget: a quarter of the time, between 1 and 10 seconds."""
    return max(1.0, min(10.0, time_limit / 4))
