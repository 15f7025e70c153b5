"""Taking access away, and changing it: an organisation's admins (and the operator) deactivate and reactivate its
users, change their roles and revoke their API tokens.

A user is never deleted: the audit trail names them. Deactivating ends their web sessions and revokes their API
tokens in the same unit of work, so nothing they hold works from the next request, and reactivating brings back
only their password (an admin issues a new token if they need one). Every change is an event in the user's
organisation's audit trail, with before and after.

An organisation is never left without an active admin, and an admin neither deactivates themselves nor drops their
own admin role (another admin does it), so nobody locks their organisation out by a slip.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from carepool.audit import service as audit
from carepool.core.errors import conflict, forbidden, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners.access import UserInfo, checked_roles, parse_roles, roles_text, user_info
from carepool.partners.model import Caller, OrgKind, Role
from carepool.partners.tables import ApiTokenRow, OrganisationRow, UserRow, WebSessionRow


@dataclass(frozen=True)
class Manager:
    """Who manages users: an admin of one organisation (``caller``), or the operator at the command line (None,
    with ``actor`` naming them in the audit trail)."""

    actor: str
    caller: Caller | None = None

    @classmethod
    def of(cls, caller: Caller) -> Manager:
        return cls(caller.actor, caller)


@dataclass(frozen=True)
class TokensRevoked:
    user: UserInfo
    revoked: int


def _member(uow: UnitOfWork, manager: Manager, organisation_code: str | None, email: str) -> UserRow:
    """The user ``email`` of the organisation, its row locked (with its organisation's) for the change. An admin
    reaches only its own organisation's users; anyone else's, or an unknown email, is not found, so a user's
    existence elsewhere does not leak."""
    caller = manager.caller
    if caller is not None:
        if (organisation_code or "").strip().upper() != caller.organisation_code:
            raise not_found(f"users of organisation {organisation_code}")
        caller.require(Role.ADMIN)
        organisation_code = caller.organisation_code
    email = email.strip().lower()
    home = uow.session.execute(select(UserRow.organisation_code).where(UserRow.email == email)).scalar_one_or_none()
    if home is None or (organisation_code is not None and home != organisation_code.strip().upper()):
        raise not_found(f"user {email}")
    # Two admins demoting each other at the same moment must not both pass the last-admin check: lock the
    # organisation's row first, so changes to one organisation's users queue (SQLite's writers already do), and
    # read the user after it (pending changes are flushed first, so none is lost).
    uow.session.execute(select(OrganisationRow.code).where(OrganisationRow.code == home).with_for_update())
    row = uow.session.execute(select(UserRow).where(UserRow.email == email)
                              .execution_options(populate_existing=True)).scalar_one()
    return row


def find(*, uow: UnitOfWork, manager: Manager, email: str, organisation_code: str | None = None) -> UserInfo:
    """The user ``email`` as ``manager`` may reach them (see ``_member``)."""
    return user_info(_member(uow, manager, organisation_code, email))


def _other_active_admins(uow: UnitOfWork, row: UserRow) -> int:
    candidates = uow.session.execute(select(UserRow.roles).where(
        UserRow.organisation_code == row.organisation_code, UserRow.active.is_(True), UserRow.id != row.id)).scalars()
    return sum(1 for roles in candidates if Role.ADMIN in parse_roles(roles))


def _keep_an_admin(uow: UnitOfWork, row: UserRow, doing: str) -> None:
    if row.active and Role.ADMIN in parse_roles(row.roles) and _other_active_admins(uow, row) == 0:
        raise conflict(f"{row.email} is the last active admin of their organisation: {doing} would leave nobody to "
                       "manage its users; make another user an admin first")


def _ended(uow: UnitOfWork, row: UserRow) -> tuple[int, int]:
    """End every web session and revoke every API token of ``row``'s user: how many of each."""
    sessions = uow.session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id)).rowcount
    tokens = uow.session.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == row.id,
                                                           ApiTokenRow.revoked.is_(False))
                                 .values(revoked=True)).rowcount
    return sessions or 0, tokens or 0


def set_active(*, uow: UnitOfWork, manager: Manager, email: str, active: bool,
               organisation_code: str | None = None, commit: bool = True) -> UserInfo:
    """Deactivate (``active=False``) or reactivate a user. Deactivating signs them out everywhere at once."""
    row = _member(uow, manager, organisation_code, email)
    if row.active == active:
        return user_info(row)
    if not active:
        if manager.caller is not None and manager.caller.user_id == row.id:
            raise forbidden("you cannot deactivate yourself: ask another admin of your organisation")
        _keep_an_admin(uow, row, "deactivating them")
    row.active = active
    after: dict[str, object] = {"active": active}
    if not active:
        after["sessions_ended"], after["tokens_revoked"] = _ended(uow, row)
    audit.record(uow=uow, actor=manager.actor, organisation=row.organisation_code,
                 action="user.reactivated" if active else "user.deactivated", entity_type="user",
                 entity_id=row.email, before={"active": not active}, after=after)
    if commit:
        uow.commit()
    return user_info(row)


def set_roles(*, uow: UnitOfWork, manager: Manager, email: str, roles: list[str],
              organisation_code: str | None = None, commit: bool = True) -> UserInfo:
    """Give a user exactly ``roles``, from those their organisation's people may hold; it applies from their next
    request, since who is calling is read afresh on every one."""
    row = _member(uow, manager, organisation_code, email)
    org = uow.session.get(OrganisationRow, row.organisation_code)
    asked = checked_roles(roles, OrgKind(org.kind) if org else None, org.name if org else "this organisation",
                          none="choose at least one role (to take all access away, deactivate the user)")
    before = parse_roles(row.roles)
    if asked == before:
        return user_info(row)
    if Role.ADMIN in before and Role.ADMIN not in asked:
        if manager.caller is not None and manager.caller.user_id == row.id:
            raise forbidden("you cannot remove your own admin role: ask another admin of your organisation")
        _keep_an_admin(uow, row, "removing their admin role")
    row.roles = roles_text(asked)
    audit.record(uow=uow, actor=manager.actor, organisation=row.organisation_code, action="user.roles_changed",
                 entity_type="user", entity_id=row.email, before={"roles": sorted(r.value for r in before)},
                 after={"roles": sorted(r.value for r in asked)})
    if commit:
        uow.commit()
    return user_info(row)


def revoke_tokens(*, uow: UnitOfWork, manager: Manager, email: str, organisation_code: str | None = None,
                  commit: bool = True) -> TokensRevoked:
    """Revoke every API token of a user (their web sessions and password are untouched)."""
    row = _member(uow, manager, organisation_code, email)
    revoked = uow.session.execute(update(ApiTokenRow).where(ApiTokenRow.user_id == row.id,
                                                            ApiTokenRow.revoked.is_(False))
                                  .values(revoked=True)).rowcount or 0
    if revoked:
        audit.record(uow=uow, actor=manager.actor, organisation=row.organisation_code, action="token.revoked",
                     entity_type="user", entity_id=row.email, before={"tokens": revoked},
                     after={"tokens": 0, "revoked": revoked})
    if commit:
        uow.commit()
    return TokensRevoked(user_info(row), revoked)


def live_tokens(*, uow: UnitOfWork, organisation_code: str) -> dict[str, int]:
    """How many unrevoked API tokens each user of an organisation holds, by email (users with none left out)."""
    rows = uow.session.execute(
        select(UserRow.email, func.count(ApiTokenRow.id)).join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
        .where(UserRow.organisation_code == organisation_code, ApiTokenRow.revoked.is_(False))
        .group_by(UserRow.email))
    return {email: count for email, count in rows}
