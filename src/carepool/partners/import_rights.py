"""Who may change which rows of the shared directory by import (see docs/partners.md, "Who may change the directory").

Each check reads the batch against the records on file and returns the rows it refuses as problems, so an import
reports them with every other problem and writes nothing. The operator's ``carepool orgs import`` (no caller) is
not checked here: it may change anything but an organisation's kind once it has users (``kind_changes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from carepool.core.errors import CarepoolError, Problem
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller, Locality, Organisation, OrgKind, Role
from carepool.partners.tables import LocalityRow, OrganisationRow, PopulationRow, UserRow

if TYPE_CHECKING:
    from carepool.partners.service import Located, PartnerBatch

OPERATOR = "the operator with 'carepool orgs import'"


def edits_directory(caller: Caller) -> bool:
    """The shared directory is edited by admins of commissioning organisations (and the operator's CLI)."""
    return caller.has(Role.ADMIN) and caller.organisation_kind not in (None, OrgKind.PROVIDER)


def check_directory_editor(caller: Caller) -> None:
    caller.require(Role.ADMIN)
    if not edits_directory(caller):
        raise CarepoolError(
            "only an admin of a council, NHS commissioner or GP cluster can change the shared directory of "
            "organisations, localities and populations; a provider's admin changes its own organisation's name and "
            "SME flag on its page", kind="forbidden")


def with_users(uow: UnitOfWork, codes: Iterable[str]) -> set[str]:
    """Those of ``codes`` whose organisations have users of their own (active or not): they have registered, or
    been given accounts, and speak for themselves."""
    wanted = sorted(set(codes))
    if not wanted:
        return set()
    return set(uow.session.execute(select(UserRow.organisation_code).where(
        UserRow.organisation_code.in_(wanted)).distinct()).scalars())


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _self_managed_changes(item: Located[Organisation], row: OrganisationRow) -> list[Problem]:
    """A provider with users keeps its own name and SME flag: its admin declared them (the SME flag decides
    whether it counts towards an award's floor for small and medium providers), so nobody else may change them."""
    org = item.value
    changes = []
    if org.name != row.name:
        changes.append(("name", f"its name to {org.name!r}"))
    if org.sme != row.sme:
        changes.append(("sme", f"its SME flag from {_yes_no(row.sme)} to {_yes_no(org.sme)}"))
    return [item.problem(
        f"{row.name} ({row.code}) manages its own record: its name and SME flag can be changed only by its own "
        f"administrator (on its organisation's page), or {OPERATOR}; this row would change {change}", field_name)
        for field_name, change in changes]


def others_records(uow: UnitOfWork, batch: PartnerBatch, caller: Caller) -> list[Problem]:
    """Rows that would change another commissioning partner's own record (its name, kind or SME flag), or the name
    or SME flag of a provider with users of its own. A provider nobody has an account for yet (listed by a council
    before it registered) stays open to the consortium's admins; rows that change nothing pass."""
    rows = {item.value.code: uow.session.get(OrganisationRow, item.value.code) for item in batch.organisations}
    providers = [code for code, row in rows.items() if row is not None and row.kind == OrgKind.PROVIDER.value]
    managing = with_users(uow, providers)
    problems: list[Problem] = []
    for item in batch.organisations:
        row = rows[item.value.code]
        if row is None or row.code == caller.organisation_code:
            continue
        if OrgKind(row.kind) is OrgKind.PROVIDER:
            if row.code in managing and item.value.kind is OrgKind.PROVIDER:  # a new kind: see kind_changes
                problems.extend(_self_managed_changes(item, row))
        elif (row.name, row.kind, row.sme) != (item.value.name, item.value.kind.value, item.value.sme):
            problems.append(item.problem(
                f"{row.code} ({row.name}) is another partner's record: only its own admin, or {OPERATOR}, can "
                "change it", "code"))
    return problems


def others_localities(uow: UnitOfWork, batch: PartnerBatch, caller: Caller) -> list[Problem]:
    """Localities (and their populations) belong to their council and NHS partner: only their admins change them,
    and never whose they are (a council or NHS partner changes hands through the operator's CLI). Rows that change
    nothing pass, so a whole exported directory can be edited and imported again."""
    mine = caller.organisation_code
    problems: list[Problem] = []
    for item in batch.localities:
        loc = item.value
        row = uow.session.get(LocalityRow, loc.code)
        if row is None:
            if mine not in (loc.council_code, loc.nhs_code):
                problems.append(item.problem(
                    f"{loc.code} would not be one of your organisation's localities ({mine} must be its council or "
                    f"NHS partner): ask that partner's admin, or {OPERATOR}, to add it", "code"))
        elif Locality(row.code, row.name, row.council_code, row.nhs_code) != loc:
            if mine not in (row.council_code, row.nhs_code):
                problems.append(item.problem(
                    f"{loc.code} is not one of your organisation's localities ({mine} is neither its council nor its "
                    f"NHS partner): ask that partner's admin, or {OPERATOR}, to change it", "code"))
            elif (row.council_code, row.nhs_code) != (loc.council_code, loc.nhs_code):
                problems.append(item.problem(
                    f"{loc.code} is {row.council_code}'s and {row.nhs_code}'s: whose a locality is changes only "
                    "with the operator's 'carepool orgs import', so both partners see it done", "council_code"))
    codes = {item.value.locality_code for item in batch.populations}
    theirs = set(uow.session.execute(select(LocalityRow.code).where(
        LocalityRow.code.in_(codes), LocalityRow.council_code != mine, LocalityRow.nhs_code != mine)).scalars())
    held = {(r.locality_code, r.age_band, r.year): r.count for r in uow.session.execute(
        select(PopulationRow).where(PopulationRow.locality_code.in_(theirs))).scalars()}
    for item in batch.populations:  # judged against the record, whatever the file says the locality is
        pop = item.value
        if pop.locality_code in theirs and held.get((pop.locality_code, pop.age_band, pop.year)) != pop.count:
            problems.append(item.problem(
                f"{pop.locality_code} is not one of your organisation's localities: only its council or NHS "
                "partner can change its population", "locality_code"))
    return problems


def kind_changes(uow: UnitOfWork, batch: PartnerBatch) -> list[Problem]:
    """Rows that would change the kind of an organisation with users: their powers would change with it (a
    self-registered provider must not become, say, an ICB because the ICB was imported under its code)."""
    problems: list[Problem] = []
    for item in batch.organisations:
        row = uow.session.get(OrganisationRow, item.value.code)
        if row is None or row.kind == item.value.kind.value:
            continue
        users = uow.session.execute(select(func.count()).select_from(UserRow).where(
            UserRow.organisation_code == row.code)).scalar_one()
        if users:
            problems.append(item.problem(
                f"{row.code} ({row.name}) is on record as a {OrgKind(row.kind).label.lower()} with {users} "
                f"user{'s' if users != 1 else ''}: its kind cannot change by import, as its users' powers would "
                "change with it; if the code was taken in error, the operator must look into it", "kind"))
    return problems
