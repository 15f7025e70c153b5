"""Each partner signs the year-end settlement statement in carepool: who, for which partner, in what role, when.

Priya "produces the settlement statement both sign". The statement workbook keeps a line per partner to
sign on paper; this records the sign-off itself, so the pool's pages, the API and the workbook show who
has signed and who has yet to. A partner signs once, through one of its finance officers or admins, for
its own organisation only, after the year is settled; each sign-off is an audit event.
"""

from __future__ import annotations

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, conflict, forbidden
from carepool.db.uow import UnitOfWork
from carepool.partners.model import Caller, Role
from carepool.pooled_budget.service import Who, get
from carepool.pooled_budget.tables import PoolStatementSignOffRow
from carepool.pooled_budget.yearend import SignOff, statement

SIGNERS = (Role.FINANCE, Role.ADMIN)
MOST_CHARACTERS = 200


def sign_statement(*, uow: UnitOfWork, by: Who, agreement_id: int, title: str) -> SignOff:
    """Sign the settled year's statement for the caller's own organisation, in the role ``title``."""
    if not isinstance(by, Caller):
        raise CarepoolError("a partner signs through one of its people: give the signer's email (--as EMAIL)")
    stored = get(uow=uow, agreement_id=agreement_id, by=by, for_update=True)  # not found for a stranger
    a, partner = stored.agreement, by.organisation_code
    if partner not in {p.code for p in a.partners}:
        raise forbidden(f"only the partners of {a.name} sign its statement")
    by.require(*SIGNERS)
    found = statement(uow=uow, stored=stored)
    if found is None:
        raise conflict(f"{a.name} ({a.year.label}) has not been settled yet: there is no statement to sign")
    title = " ".join(title.split())
    if not title or len(title) > MOST_CHARACTERS:
        raise CarepoolError(f"role: say in what role you sign for {a.partner_name(partner)} (at most "
                            f"{MOST_CHARACTERS} characters), e.g. Director of Finance")
    if partner in found.sign_offs:
        done = found.sign_offs[partner]
        raise conflict(f"{a.partner_name(partner)} signed the statement on {done.signed_at:%Y-%m-%d} ({done.name}, "
                       f"{done.title}); a partner signs once")
    row = PoolStatementSignOffRow(agreement_id=stored.id, partner_code=partner, name=by.name, title=title,
                                  signed_by=by.actor, signed_at=uow.now())
    uow.session.add(row)
    audit.record(uow=uow, actor=by.actor, organisation=partner, action="pool.statement_signed",
                 entity_type="pool_agreement", entity_id=str(stored.id),
                 after={"partner": partner, "name": by.name, "title": title})
    uow.commit()
    return SignOff(partner, row.name, title, row.signed_by, row.signed_at)
