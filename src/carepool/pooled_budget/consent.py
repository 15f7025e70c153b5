"""Every partner agrees: the rule a new agreement and a variation of one share.

A user with the commissioner or finance role at each partner decides for their own organisation, once:
yes (a variation is approved, an agreement accepted) or no (rejected, declined). One no ends it; it takes
effect when every partner has said yes. Each decision names who made it, when and (for a no) why.
Nothing here touches the database: the callers load the decisions, lock the record and store the new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from carepool.core.errors import CarepoolError, conflict, forbidden
from carepool.partners.model import Caller


@dataclass(frozen=True)
class Words:
    """How one kind of proposal names its decisions."""

    what: str  # "a variation", "an agreement"
    yes: str  # approve | accept
    no: str  # reject | decline
    done: Mapping[str, str]  # each decision in the past tense

    @property
    def choices(self) -> tuple[str, str]:
        return self.yes, self.no


VARIATION = Words("a variation", "approve", "reject", {"approve": "approved", "reject": "rejected"})
AGREEMENT = Words("an agreement", "accept", "decline", {"accept": "accepted", "decline": "declined"})


@dataclass(frozen=True)
class Decision:
    partner: str
    partner_name: str
    decision: str  # one of its Words' choices
    by: str  # the actor (user:email)
    at: datetime
    reason: str = ""  # why a partner said no, in its own words


def decider(by: object, words: Words) -> Caller:
    """The signed-in user deciding for their organisation; the command line names one (``--as EMAIL``)."""
    if not isinstance(by, Caller):
        raise forbidden(f"{words.what} is {words.done[words.yes]} or {words.done[words.no]} by a user of a partner "
                        "organisation (at the command line: --as EMAIL)")
    return by


def check_choice(decision: str, words: Words) -> None:
    if decision not in words.choices:
        raise CarepoolError(f"decision: expected {words.yes} or {words.no}, got {decision!r}")


def refuse_second(made: Sequence[Decision], caller: Caller, words: Words, subject: str) -> None:
    """A partner decides once: a second decision names the first (who and when)."""
    mine = next((d for d in made if d.partner == caller.organisation_code), None)
    if mine is not None:
        raise conflict(f"{caller.organisation_name} already {words.done[mine.decision]} {subject} "
                       f"({mine.by}, {mine.at:%Y-%m-%d %H:%M})")


def waiting_for(codes: Sequence[str], made: Sequence[Decision]) -> tuple[str, ...]:
    """The partners (codes, in the agreement's order) that have not decided yet."""
    decided = {d.partner for d in made}
    return tuple(code for code in codes if code not in decided)


def outcome(codes: Sequence[str], made: Sequence[Decision], words: Words) -> str | None:
    """``words.no`` once any partner has said no; ``words.yes`` once every partner has said yes; else None."""
    if any(d.decision == words.no for d in made):
        return words.no
    if {d.partner for d in made if d.decision == words.yes} >= set(codes):
        return words.yes
    return None
