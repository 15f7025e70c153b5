"""Users, roles, passwords (Argon2), API tokens, and resolving who is calling."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, conflict, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners.model import PARTNER_ROLES, Caller, OrgKind, Role, parse_role
from carepool.partners.tables import ApiTokenRow, OrganisationRow, UserRow

_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
TOKEN_PREFIX = "cp_"
MIN_PASSWORD_LENGTH = 10
MOST_EMAIL, MOST_NAME = 254, 200  # the columns' sizes
SIGN_IN_REFUSED = ("email or password not recognised, or the account has been deactivated (ask your "
                   "organisation's admin)")


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    organisation_code: str
    roles: tuple[Role, ...]
    active: bool


def roles_text(roles: set[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def parse_roles(text: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in text.split(",") if r)


def user_info(row: UserRow) -> UserInfo:
    return UserInfo(row.id, row.email, row.name, row.organisation_code,
                    tuple(sorted(parse_roles(row.roles))), row.active)


def secret_hash(token: str) -> str:
    """How a bearer token or session key is kept: its SHA-256, so the database never holds one that works."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    *, uow: UnitOfWork, actor: str, email: str, name: str, organisation_code: str,
    roles: list[str], password: str, commit: bool = True,
) -> UserInfo:
    email = email.strip().lower()
    if "@" not in email or len(email) > MOST_EMAIL:
        raise CarepoolError(f"{email[:60]!r}{'…' if len(email) > 60 else ''} is not an email address "
                            f"(at most {MOST_EMAIL} characters)")
    if len(name.strip()) > MOST_NAME:
        raise CarepoolError(f"name: at most {MOST_NAME} characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CarepoolError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    parsed = {parse_role(r) for r in roles}
    if not parsed:
        raise CarepoolError("a user needs at least one role")
    org = uow.session.get(OrganisationRow, organisation_code.strip().upper())
    if org is None:
        raise not_found(f"organisation {organisation_code}")
    if _user_by_email(uow, email) is not None:
        raise conflict(f"a user with email {email} already exists")
    row = UserRow(email=email, name=name.strip(), organisation_code=org.code, roles=roles_text(parsed),
                  password_hash=_hasher.hash(password), active=True)
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:  # the same email added at the same moment by another request
        raise conflict(f"a user with email {email} already exists") from None
    info = user_info(row)
    audit.record(uow=uow, actor=actor, organisation=org.code, action="user.created", entity_type="user",
                 entity_id=row.email, after={"email": email, "name": info.name,
                                               "roles": [r.value for r in info.roles]})
    if commit:
        uow.commit()
    return info


def _caller(uow: UnitOfWork, row: UserRow) -> Caller:
    org = uow.session.get(OrganisationRow, row.organisation_code)
    return Caller(row.id, row.email, row.name, row.organisation_code, org.name if org else "",
                  parse_roles(row.roles), OrgKind(org.kind) if org else None)


def _user_by_email(uow: UnitOfWork, email: str) -> UserRow | None:
    return uow.session.execute(select(UserRow).where(UserRow.email == email.strip().lower())).scalar_one_or_none()


def authenticate(*, uow: UnitOfWork, email: str, password: str) -> Caller:
    row = _user_by_email(uow, email)
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        row = None
    if row is None or not row.active:
        # One answer for all three, so the form tells nobody which emails have accounts, nor that a password
        # guessed for a deactivated account was right.
        raise CarepoolError(SIGN_IN_REFUSED, kind="unauthenticated")
    return _caller(uow, row)


def people(*, uow: UnitOfWork, actors: Iterable[str]) -> dict[str, str]:
    """Audit actors that are users (``user:EMAIL``) as people read them: "Priya Shah (Brent)"."""
    emails = {actor.partition(":")[2] for actor in actors if actor.startswith("user:")}
    if not emails:
        return {}
    rows = uow.session.execute(select(UserRow.email, UserRow.name, OrganisationRow.name).join(
        OrganisationRow, OrganisationRow.code == UserRow.organisation_code).where(UserRow.email.in_(emails)))
    return {f"user:{email}": f"{name} ({organisation})" for email, name, organisation in rows}


def caller_for_user(*, uow: UnitOfWork, user_id: int) -> Caller:
    row = uow.session.get(UserRow, user_id)
    if row is None or not row.active:
        raise CarepoolError("please sign in again", kind="unauthenticated")
    return _caller(uow, row)


def caller_for_email(*, uow: UnitOfWork, email: str) -> Caller:
    """The caller a user is, by email: for operators at the command line acting as a named user."""
    row = _user_by_email(uow, email)
    if row is None:
        raise not_found(f"user {email}")
    if not row.active:
        raise CarepoolError(f"user {email} is deactivated", kind="forbidden")
    return _caller(uow, row)


def issue_token(*, uow: UnitOfWork, actor: str, email: str, label: str = "cli") -> str:
    """Make a bearer token for a user; only its hash is stored, so it is shown once."""
    row = _user_by_email(uow, email)
    if row is None:
        raise not_found(f"user {email}")
    if not row.active:
        raise conflict(f"user {row.email} is deactivated: reactivate them first ('carepool users reactivate')")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    uow.session.add(ApiTokenRow(user_id=row.id, token_hash=secret_hash(token), label=label,
                                created_at=uow.now(), revoked=False))
    audit.record(uow=uow, actor=actor, organisation=row.organisation_code, action="token.issued",
                 entity_type="user", entity_id=row.email, after={"label": label})
    uow.commit()
    return token


def caller_for_token(*, uow: UnitOfWork, token: str) -> Caller:
    row = uow.session.execute(
        select(ApiTokenRow).where(ApiTokenRow.token_hash == secret_hash(token.strip()))
    ).scalar_one_or_none()
    if row is None or row.revoked:
        raise CarepoolError("the API token is not valid", kind="unauthenticated")
    return caller_for_user(uow=uow, user_id=row.user_id)


def list_users(*, uow: UnitOfWork, caller: Caller, organisation_code: str) -> list[UserInfo]:
    """An organisation's users, visible only to its own admins; others are told it does not exist."""
    if caller.organisation_code != organisation_code.strip().upper():
        raise not_found(f"users of organisation {organisation_code}")
    caller.require(Role.ADMIN)
    rows = uow.session.execute(
        select(UserRow).where(UserRow.organisation_code == caller.organisation_code).order_by(UserRow.email)
    ).scalars()
    return [user_info(r) for r in rows]


def roles_for(kind: OrgKind | None) -> tuple[Role, ...]:
    """The roles a user of an organisation of ``kind`` may hold: a provider's people bid (and its admins add
    colleagues); a commissioning partner's hold the partners' roles."""
    return (Role.PROVIDER, Role.ADMIN) if kind is OrgKind.PROVIDER else PARTNER_ROLES


def checked_roles(roles: list[str], kind: OrgKind | None, organisation_name: str, *, none: str) -> set[Role]:
    """The roles asked for, each one an organisation of this kind's people may hold, and at least one (``none``
    says what to do when there are none)."""
    allowed = roles_for(kind)
    asked = {parse_role(r) for r in roles}
    if not asked:
        raise CarepoolError(f"roles: {none}")
    if not asked <= set(allowed):
        wrong = ", ".join(sorted(r.value for r in asked - set(allowed)))
        raise CarepoolError(f"roles: {wrong} is not a role for {organisation_name}'s people; choose from "
                            f"{', '.join(r.value for r in allowed)}")
    return asked


def add_colleague(*, uow: UnitOfWork, caller: Caller, email: str, name: str, roles: list[str],
                  password: str) -> UserInfo:
    """An admin adds a user to its own organisation, with roles that organisation's people may hold."""
    caller.require(Role.ADMIN)
    asked = checked_roles(roles, caller.organisation_kind, caller.organisation_name, none="tick at least one role")
    if not name.strip():
        raise CarepoolError("name: is empty")
    try:
        return create_user(uow=uow, actor=caller.actor, email=email, name=name,
                           organisation_code=caller.organisation_code, roles=[r.value for r in asked],
                           password=password)
    except CarepoolError as error:
        if error.kind != "conflict":
            raise
        raise conflict("email: this colleague cannot be added with that email (it may already have a carepool "
                       "account, perhaps at another organisation); check it, or use another") from None


def list_all_users(*, uow: UnitOfWork) -> list[UserInfo]:
    """Every user: for operators at the command line only (they hold the database)."""
    return [user_info(r) for r in uow.session.execute(select(UserRow).order_by(UserRow.email)).scalars()]
