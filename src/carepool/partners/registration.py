"""A care provider registers itself to bid: its organisation and its first user, in one step.

Providers are not partners of the consortium, and a small agency has no one to ask for an account:
the sign-in page offers "register to bid". The organisation is a provider (never a council or NHS body),
its SME flag is self-declared (as on a tender's selection questionnaire), and the first user gets the
provider and admin roles, so it can bid and add colleagues. A code or email already on record is refused
without saying whose it is. The operator can close registration (``CAREPOOL_OPEN_REGISTRATION=0``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, Problem, conflict
from carepool.core.ids import provider_code
from carepool.db.uow import UnitOfWork
from carepool.partners import access
from carepool.partners.model import Caller, Organisation, OrgKind, Role
from carepool.partners.tables import OrganisationRow

ROLES = [Role.PROVIDER.value, Role.ADMIN.value]


@dataclass(frozen=True)
class ProviderRegistration:
    code: str  # CQC provider id (1-101234567) or ODS code
    name: str
    sme: bool
    person: str
    email: str
    password: str
    password_again: str


def _problems(form: ProviderRegistration) -> list[Problem]:
    said: list[str] = []  # each names the form's field as its label reads
    try:
        provider_code(form.code)
    except CarepoolError as error:
        said.append(f"CQC provider id or ODS code: {error.message}")
    if not form.name.strip():
        said.append("Organisation name: is empty; give the organisation's registered name")
    if not form.person.strip():
        said.append("Your name: is empty")
    if "@" not in form.email.strip():
        said.append(f"Email: {form.email.strip()!r} is not an email address")
    if len(form.password) < access.MIN_PASSWORD_LENGTH:
        said.append(f"Password: must have at least {access.MIN_PASSWORD_LENGTH} characters")
    elif form.password != form.password_again:
        said.append("Password again: the two passwords differ")
    return [Problem(message) for message in said]


def register_provider(*, uow: UnitOfWork, form: ProviderRegistration) -> Caller:
    """Create the provider organisation and its first user (all or nothing); the caller it signs in as."""
    problems = _problems(form)
    if problems:
        raise CarepoolError.from_problems("The registration needs correcting:", problems)
    org = Organisation(str(provider_code(form.code)), form.name.strip(), OrgKind.PROVIDER, sme=form.sme)
    if uow.session.get(OrganisationRow, org.code) is not None:
        raise conflict(f"{org.code} is already registered: ask your organisation's carepool admin to add you as a "
                       "user, or the consortium if you think this is a mistake")
    uow.session.add(OrganisationRow(code=org.code, name=org.name, kind=org.kind.value, sme=org.sme))
    uow.session.flush()
    actor = f"user:{form.email.strip().lower()}"
    audit.record(uow=uow, actor=actor, organisation=org.code, action="organisation.registered",
                 entity_type="organisation", entity_id=org.code, after={**asdict(org), "kind": org.kind.value})
    user = access.create_user(uow=uow, actor=actor, email=form.email, name=form.person, organisation_code=org.code,
                              roles=ROLES, password=form.password)  # commits both, or neither
    return access.caller_for_user(uow=uow, user_id=user.id)
