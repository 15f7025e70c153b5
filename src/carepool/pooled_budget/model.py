"""A Section 75 agreement as it stands at year end, and the settlement it yields.

Plain frozen dataclasses; checking them is ``validation``'s job, settling them is
``settlement``'s. Partner codes are council GSS codes or NHS ODS codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from carepool.core.money import Money
from carepool.core.periods import FinancialYear


class Excess(StrEnum):
    """Where the part of an overspend above a partner's cap goes."""

    HOST = "host"  # the host partner absorbs it, even beyond its own cap
    UNALLOCATED = "unallocated"  # left for the partnership board to decide


@dataclass(frozen=True)
class Proportional:
    """Split in proportion to each partner's contribution to the scheme."""

    name: ClassVar[str] = "proportional"


@dataclass(frozen=True)
class FixedShares:
    """Split by agreed shares (e.g. 0.5 / 0.3 / 0.2) that add up to exactly 1."""

    shares: Mapping[str, Decimal]
    name: ClassVar[str] = "fixed"


@dataclass(frozen=True)
class Lead:
    """The lead commissioner of the scheme bears it alone."""

    partner: str
    name: ClassVar[str] = "lead"


@dataclass(frozen=True)
class Capped:
    """Split by ``base``, then cut each capped partner down to its cap."""

    base: Proportional | FixedShares
    caps: Mapping[str, Money]
    excess: Excess
    name: ClassVar[str] = "capped"


@dataclass(frozen=True)
class CarryForward:
    """The underspend stays in the pool for next year."""

    name: ClassVar[str] = "carry_forward"


OverspendRule = Proportional | FixedShares | Lead | Capped
UnderspendRule = Proportional | FixedShares | Lead | CarryForward
OVERSPEND_RULES = ("proportional", "fixed", "lead", "capped")
UNDERSPEND_RULES = ("proportional", "fixed", "lead", "carry_forward")


@dataclass(frozen=True)
class Partner:
    code: str
    name: str


class AgreementStatus(StrEnum):
    """Where a stored agreement stands. Like a Section 75 agreement on paper, it binds a partner only once that
    partner has signed it: until every partner has, nothing is opened, posted or published."""

    PROPOSED = "proposed"  # one partner proposed it (and so accepted it); waiting for the others
    ACTIVE = "active"  # every partner accepted: ledger accounts opened, contributions due, on the register
    DECLINED = "declined"  # a partner declined it: it never took effect
    SETTLED = "settled"  # the year is settled; its figures and terms can no longer change


# The allowed moves of an agreement's status, as data.
AGREEMENT_TRANSITIONS: Mapping[AgreementStatus, tuple[AgreementStatus, ...]] = {
    AgreementStatus.PROPOSED: (AgreementStatus.ACTIVE, AgreementStatus.DECLINED),
    AgreementStatus.ACTIVE: (AgreementStatus.SETTLED,),
    AgreementStatus.DECLINED: (),
    AgreementStatus.SETTLED: (),
}


@dataclass(frozen=True)
class Contingency:
    """A reserve that absorbs overspends before any partner shares them."""

    amount: Money
    funded: Mapping[str, Money]


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    contributions: Mapping[str, Money]
    actual: Money
    overspend: OverspendRule = field(default_factory=Proportional)
    underspend: UnderspendRule = field(default_factory=Proportional)

    @property
    def budget(self) -> Money:
        return Money.sum(self.contributions.values())

    @property
    def variance(self) -> Money:
        """Actual minus budget: positive is an overspend."""
        return self.actual - self.budget


@dataclass(frozen=True)
class Agreement:
    """The year-end input of a settlement: who paid what in, what was spent, the rules."""

    name: str
    year: FinancialYear
    host: str
    partners: tuple[Partner, ...]
    schemes: tuple[Scheme, ...]
    offset_across_schemes: bool = False
    contingency: Contingency | None = None

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.partners]

    def partner_name(self, code: str) -> str:
        return next((p.name for p in self.partners if p.code == code), code)


# --- the result -------------------------------------------------------------


@dataclass(frozen=True)
class PartnerPosition:
    code: str
    name: str
    contribution: Money  # its scheme contributions plus its contingency funding
    overspend_share: Money  # zero or positive
    underspend_share: Money  # zero or negative (money handed back)

    @property
    def final_cost(self) -> Money:
        return self.contribution + self.overspend_share + self.underspend_share


@dataclass(frozen=True)
class SchemeOutcome:
    id: str
    name: str
    contributions: Mapping[str, Money]
    budget: Money
    actual: Money
    variance: Money  # actual - budget, before offset and contingency
    offset: Money  # how much of the variance was cancelled against other schemes (unsigned)
    contingency_used: Money  # how much of the overspend the contingency absorbed
    remaining: Money  # the variance left for the rule to share (signed)
    rule: str
    shares: Mapping[str, Money]  # per partner; overspend positive, underspend negative
    carried_forward: Money
    unallocated: Money
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class ContingencyOutcome:
    amount: Money
    funded: Mapping[str, Money]
    used: Money
    returned: Mapping[str, Money]  # the unused part, per funder, as a positive amount
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class SettlementResult:
    agreement: str
    year: FinancialYear
    host: str
    partners: tuple[PartnerPosition, ...]
    schemes: tuple[SchemeOutcome, ...]
    carried_forward: Money
    unallocated: Money
    contingency: ContingencyOutcome | None

    @property
    def total_actual(self) -> Money:
        return Money.sum(s.actual for s in self.schemes)

    @property
    def total_final_cost(self) -> Money:
        return Money.sum(p.final_cost for p in self.partners)

    def explanation(self) -> list[str]:
        lines = [line for s in self.schemes for line in s.explanation]
        if self.contingency:
            lines.extend(self.contingency.explanation)
        return lines
