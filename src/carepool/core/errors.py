"""One error type whose message is written for the person who caused it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"column {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class CarepoolError(Exception):
    """An error a user can act on. ``str(error)`` is the user-facing message.

    ``kind`` maps to an HTTP status at the API edge and an exit code at the CLI.
    """

    message: str
    # invalid | not_found | forbidden | conflict | unauthenticated | infeasible | timed_out | too_many
    kind: str = "invalid"
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        return f"{self.message}\n{shown}{more}"

    @classmethod
    def from_problems(cls, message: str, problems: list[Problem]) -> CarepoolError:
        return cls(message=message, kind="invalid", problems=list(problems))


def parse_choice(enum: type[E], value: object, what: str) -> E:
    """Read one of an enum's values (case-insensitive), or say which values are allowed."""
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum)
        raise CarepoolError(f"{value!r} is not a {what}; expected one of {allowed}") from None


def not_found(what: str) -> CarepoolError:
    return CarepoolError(f"{what} not found", kind="not_found")


def forbidden(what: str) -> CarepoolError:
    return CarepoolError(what, kind="forbidden")


def conflict(what: str) -> CarepoolError:
    return CarepoolError(what, kind="conflict")


# How each kind of error leaves the program: exit code at the CLI, status at the API.
EXIT_CODES = {
    "invalid": 2,
    "infeasible": 3,
    "not_found": 4,
    "forbidden": 5,
    "unauthenticated": 5,
    "conflict": 6,
    "timed_out": 7,  # a search ran out of time without an answer; more time may find one
    "too_many": 8,  # too many attempts in a short time: wait and try again
    "too_large": 2,  # a file larger than carepool takes: split it
    "not_allowed": 2,
}
HTTP_STATUS = {
    "invalid": 422,
    "infeasible": 422,
    "not_found": 404,
    "forbidden": 403,
    "unauthenticated": 401,
    "conflict": 409,
    "not_allowed": 405,  # a method the address does not take
    "timed_out": 422,  # not 5xx: a proxy retrying would only run the same long search again
    "too_many": 429,
    "too_large": 413,
}
