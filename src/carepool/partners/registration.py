"""A care provider registers itself to bid: its organisation and its first user, in one step.

Providers are not partners of the consortium, and a small agency has no one to ask for an account:
the sign-in page offers "register to bid". The organisation is a provider known by its CQC provider id
(an ODS code could be an NHS body's not yet on record, which a later directory import would then hand to
whoever registered it), its SME flag is self-declared (as on a tender's selection questionnaire), and
the first user gets the provider and admin roles, so it can bid and add colleagues. A code already on
record is refused; an email already on record gets the same answer as any other refusal of the person's
details, so the form does not tell who has an account. The operator can close registration
(``CAREPOOL_OPEN_REGISTRATION=0``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, Problem
from carepool.core.ids import CQC_PROVIDER, provider_code
from carepool.db.uow import UnitOfWork
from carepool.partners import access
from carepool.partners.model import Caller, Organisation, OrgKind, Role
from carepool.partners.tables import OrganisationRow

ROLES = [Role.PROVIDER.value, Role.ADMIN.value]
NEEDS_CORRECTING = "The registration needs correcting:"


@dataclass(frozen=True)
class ProviderRegistration:
    code: str  # CQC provider id (1-101234567)
    name: str
    sme: bool | None  # None: not answered (it decides the SME floor in awards, so it is asked, never assumed)
    person: str
    email: str
    password: str
    password_again: str


def _problems(form: ProviderRegistration) -> list[Problem]:
    """Every problem, each naming the form's field as its label reads and carrying the field's id (the page links
    the summary to the field and repeats the message beside it)."""
    said: list[tuple[str, str]] = []
    if not CQC_PROVIDER.match(form.code.strip().upper()):
        said.append(("code", f"CQC provider id: {form.code.strip()!r} is not a CQC provider id: expected 1- and 9 "
                     "to 11 digits, as on your CQC registration (e.g. 1-101234567); an NHS trust is set up by the "
                     "consortium"))
    if not form.name.strip():
        said.append(("name", "Organisation name: is empty; give the organisation's registered name"))
    if form.sme is None:
        said.append(("sme-yes", "Small or medium-sized enterprise: answer yes or no (a tender may keep a share of "
                     "the work for SMEs, so it is not assumed)"))
    if not form.person.strip():
        said.append(("person", "Your name: is empty"))
    if "@" not in form.email.strip():
        said.append(("email", f"Email: {form.email.strip()!r} is not an email address"))
    if len(form.password) < access.MIN_PASSWORD_LENGTH:
        said.append(("password", f"Password: must have at least {access.MIN_PASSWORD_LENGTH} characters"))
    elif form.password != form.password_again:
        said.append(("password_again", "Password again: the two passwords differ"))
    return [Problem(message, field=field) for field, message in said]


def register_provider(*, uow: UnitOfWork, form: ProviderRegistration) -> Caller:
    """Create the provider organisation and its first user (all or nothing); the caller it signs in as."""
    problems = _problems(form)
    if problems:
        raise CarepoolError.from_problems(NEEDS_CORRECTING, problems)
    org = Organisation(str(provider_code(form.code)), form.name.strip(), OrgKind.PROVIDER, sme=bool(form.sme))
    if uow.session.get(OrganisationRow, org.code) is not None:
        raise CarepoolError(NEEDS_CORRECTING, kind="conflict", problems=[Problem(
            f"CQC provider id: {org.code} is already registered: ask your organisation's carepool admin to add you "
            "as a user, or the consortium if you think this is a mistake", field="code")])
    uow.session.add(OrganisationRow(code=org.code, name=org.name, kind=org.kind.value, sme=org.sme))
    uow.session.flush()
    actor = f"user:{form.email.strip().lower()}"
    try:  # the password is hashed (slow, on purpose) before the audit chain is locked
        user = access.create_user(uow=uow, actor=actor, email=form.email, name=form.person,
                                  organisation_code=org.code, roles=ROLES, password=form.password, commit=False)
    except CarepoolError as error:
        if error.kind != "conflict":
            raise
        raise CarepoolError(NEEDS_CORRECTING, kind="conflict", problems=[Problem(
            "Email: these details cannot be registered. If you already have a carepool account, sign in (or ask "
            "your organisation's admin to add you); otherwise use another email", field="email")]) from None
    audit.record(uow=uow, actor=actor, organisation=org.code, action="organisation.registered",
                 entity_type="organisation", entity_id=org.code, after={**asdict(org), "kind": org.kind.value})
    uow.commit()  # the organisation, its user and both events, or none of them
    return access.caller_for_user(uow=uow, user_id=user.id)
