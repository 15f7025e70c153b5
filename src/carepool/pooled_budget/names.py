"""Who did something on a pool, as people read it: "Priya Shah (London Borough of Brent)", as the History tab
says, never a bare email address."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from carepool.audit.model import actor_label
from carepool.db.uow import UnitOfWork
from carepool.partners import access

Who = Callable[..., str]


def namer(*, uow: UnitOfWork, actors: Iterable[str]) -> Who:
    """``who(actor, organisation="")``: the user's name and organisation; an actor that is no user (the command
    line, the operator) as the audit trail labels it, with ``organisation`` when given."""
    known = access.people(uow=uow, actors=set(actors))

    def who(actor: str, organisation: str = "") -> str:
        if actor in known:
            return known[actor]
        label = actor_label(actor)
        return f"{label} ({organisation})" if organisation else label

    return who
