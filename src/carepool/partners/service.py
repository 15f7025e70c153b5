"""Use cases for organisations, localities and populations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select

from carepool.audit import service as audit
from carepool.core import tabular
from carepool.core.errors import CarepoolError, Problem, not_found
from carepool.db.uow import UnitOfWork
from carepool.partners import import_rights as rights
from carepool.partners.model import AGE_BANDS, Caller, Locality, Organisation, OrgKind, Population, Role
from carepool.partners.tables import LocalityRow, OrganisationRow, PopulationRow

T = TypeVar("T")
MOST_NAME = 200  # the organisations.name column's size


@dataclass(frozen=True)
class Located(Generic[T]):
    """A record read from a file, with where it came from for error messages."""

    value: T
    file: str | None = None
    sheet: str | None = None
    row: int | None = None

    def problem(self, message: str, field_name: str) -> Problem:
        return Problem(message, self.file, self.sheet, self.row, field_name)


@dataclass
class PartnerBatch:
    organisations: list[Located[Organisation]] = field(default_factory=list)
    localities: list[Located[Locality]] = field(default_factory=list)
    populations: list[Located[Population]] = field(default_factory=list)
    # problems found while reading the file; reported together with reference problems
    problems: list[Problem] = field(default_factory=list)
    # codes of organisations whose row left sme blank (or had no sme column): they keep the flag on record
    sme_unstated: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ImportSummary:
    organisations: int
    localities: int
    populations: int


def _organisation(row: OrganisationRow) -> Organisation:
    return Organisation(code=row.code, name=row.name, kind=OrgKind(row.kind), sme=row.sme)


def list_organisations(*, uow: UnitOfWork, kind: OrgKind | None = None) -> list[Organisation]:
    query = select(OrganisationRow)
    if kind is not None:
        query = query.where(OrganisationRow.kind == kind.value)
    organisations = [_organisation(row) for row in uow.session.execute(query).scalars()]
    rank = {k: i for i, k in enumerate(OrgKind)}
    return sorted(organisations, key=lambda o: (rank[o.kind], o.name))


def names_of(*, uow: UnitOfWork, codes: Iterable[str]) -> dict[str, str]:
    """The names of those of ``codes`` that are organisations' codes, by code."""
    wanted, names = sorted(set(codes)), {}
    for start in range(0, len(wanted), 500):  # SQLite binds at most a few thousand parameters
        rows = uow.session.execute(select(OrganisationRow.code, OrganisationRow.name)
                                   .where(OrganisationRow.code.in_(wanted[start:start + 500])))
        names.update({code: name for code, name in rows})
    return names


def get_organisation(*, uow: UnitOfWork, code: str) -> Organisation:
    row = uow.session.get(OrganisationRow, code.strip().upper())
    if row is None:
        raise not_found(f"organisation {code}")
    return _organisation(row)


def sees_providers(caller: Caller) -> bool:
    """A provider sees the partners and itself, not its competitors: who has registered to bid is theirs to
    know (the partners see every provider, to commission and award)."""
    return caller.organisation_kind is not OrgKind.PROVIDER


def directory_for(*, uow: UnitOfWork, caller: Caller, kind: OrgKind | None = None) -> list[Organisation]:
    """The directory as ``caller`` may read it (see ``sees_providers``)."""
    return [o for o in list_organisations(uow=uow, kind=kind)
            if sees_providers(caller) or o.kind is not OrgKind.PROVIDER or o.code == caller.organisation_code]


def organisation_for(*, uow: UnitOfWork, caller: Caller, code: str) -> Organisation:
    found = get_organisation(uow=uow, code=code)
    if not sees_providers(caller) and found.kind is OrgKind.PROVIDER and found.code != caller.organisation_code:
        raise not_found(f"organisation {code}")
    return found


def list_localities(*, uow: UnitOfWork) -> list[Locality]:
    rows = uow.session.execute(select(LocalityRow).order_by(LocalityRow.council_code, LocalityRow.name))
    return [Locality(r.code, r.name, r.council_code, r.nhs_code) for r in rows.scalars()]


def list_populations(*, uow: UnitOfWork) -> list[Population]:
    rows = uow.session.execute(
        select(PopulationRow).order_by(PopulationRow.locality_code, PopulationRow.year, PopulationRow.age_band)
    )
    return [Population(r.locality_code, r.age_band, r.year, r.count) for r in rows.scalars()]


def _check_references(uow: UnitOfWork, batch: PartnerBatch) -> list[Problem]:
    kinds = {row.code: OrgKind(row.kind) for row in uow.session.execute(select(OrganisationRow)).scalars()}
    kinds.update({item.value.code: item.value.kind for item in batch.organisations})
    localities = set(uow.session.execute(select(LocalityRow.code)).scalars())
    localities.update(item.value.code for item in batch.localities)
    problems: list[Problem] = []
    for item in batch.localities:
        council, nhs = item.value.council_code, item.value.nhs_code
        if kinds.get(council) is not OrgKind.LOCAL_AUTHORITY:
            problems.append(item.problem(f"{council} is not a known local authority", "council_code"))
        if kinds.get(nhs) is not OrgKind.NHS_COMMISSIONER:
            problems.append(item.problem(f"{nhs} is not a known NHS commissioner", "nhs_code"))
    for item in batch.populations:
        if item.value.locality_code not in localities:
            problems.append(item.problem(f"{item.value.locality_code} is not a known locality", "locality_code"))
    problems.extend(_duplicates(batch))
    return problems


def _duplicates(batch: PartnerBatch) -> list[Problem]:
    problems: list[Problem] = []
    keyed: list[tuple[list[Any], Any, str]] = [
        (batch.organisations, lambda o: o.code, "code"),
        (batch.localities, lambda loc: loc.code, "code"),
        (batch.populations, lambda p: (p.locality_code, p.age_band, p.year), "age_band"),
    ]
    for items, key, field_name in keyed:
        seen: dict[Any, Located[Any]] = {}
        for item in items:
            k = key(item.value)
            if k in seen:
                problems.append(item.problem(f"repeats row {seen[k].row}", field_name))
            seen[k] = item
    return problems


def _sme_as_recorded(uow: UnitOfWork, batch: PartnerBatch) -> tuple[list[Located[Organisation]], list[Problem]]:
    """The organisations with a blank sme given the flag on record, as a file without the column means no change
    (it decides whether a provider counts towards an award's floor for small and medium providers). A provider
    not on record as one must state it; any other kind is never an SME."""
    organisations: list[Located[Organisation]] = []
    problems: list[Problem] = []
    for item in batch.organisations:
        org = item.value
        if org.code in batch.sme_unstated and org.kind is OrgKind.PROVIDER:
            row = uow.session.get(OrganisationRow, org.code)
            if row is None or row.kind != OrgKind.PROVIDER.value:
                problems.append(item.problem(
                    "needs yes or no for a new provider (add an sme column if the file has none): being a small or "
                    "medium enterprise decides whether it counts towards an award's floor for SMEs", "sme"))
            else:
                item = replace(item, value=replace(org, sme=row.sme))
        organisations.append(item)
    return organisations, problems


def import_batch(*, uow: UnitOfWork, actor: str, batch: PartnerBatch, what: str = "import",
                 caller: Caller | None = None) -> ImportSummary:
    """Add or update organisations, localities and populations, all or nothing.

    ``caller`` is the signed-in user (None for the operator's CLI and the demo): it must be an admin of a
    commissioning organisation, and may not change another commissioning partner's own record, the name or SME
    flag of a provider with users of its own, nor a locality (or its population) of which it is neither the
    council nor the NHS partner (see ``import_rights``)."""
    if caller is not None:
        rights.check_directory_editor(caller)
    organisations, unstated = _sme_as_recorded(uow, batch)
    batch = replace(batch, organisations=organisations, problems=batch.problems + unstated)
    others = [] if caller is None else (rights.others_records(uow, batch, caller)
                                        + rights.others_localities(uow, batch, caller))
    tabular.check(batch.problems + _check_references(uow, batch) + others + rights.kind_changes(uow, batch), what)
    session = uow.session
    for item in batch.organisations:
        org = item.value
        row = session.get(OrganisationRow, org.code)
        before = None if row is None else asdict(_organisation(row))
        if row is None:
            session.add(OrganisationRow(code=org.code, name=org.name, kind=org.kind.value, sme=org.sme))
        else:
            row.name, row.kind, row.sme = org.name, org.kind.value, org.sme
        if before != asdict(org):
            audit.record(uow=uow, actor=actor, organisation=org.code, action="organisation.saved",
                         entity_type="organisation", entity_id=org.code, before=before, after=asdict(org))
    session.flush()
    for item in batch.localities:
        loc = item.value
        row = session.get(LocalityRow, loc.code)
        before = None if row is None else asdict(Locality(row.code, row.name, row.council_code, row.nhs_code))
        if row is None:
            session.add(LocalityRow(code=loc.code, name=loc.name, council_code=loc.council_code,
                                    nhs_code=loc.nhs_code))
        else:
            row.name, row.council_code, row.nhs_code = loc.name, loc.council_code, loc.nhs_code
        if before != asdict(loc):
            audit.record(uow=uow, actor=actor, organisation=loc.council_code, action="locality.saved",
                         entity_type="locality", entity_id=loc.code, before=before, after=asdict(loc))
    session.flush()
    _save_populations(uow, actor, [item.value for item in batch.populations])
    uow.commit()
    return ImportSummary(len(batch.organisations), len(batch.localities), len(batch.populations))


def update_own_organisation(*, uow: UnitOfWork, caller: Caller, code: str, name: str | None = None,
                            sme: bool | None = None) -> Organisation:
    """An organisation's own admin corrects its name and, for a provider, its self-declared SME flag (None keeps
    what is on record). Any other caller is told the organisation is not there to change; a change is audited
    under the organisation, so its people see it in their audit trail."""
    if code.strip().upper() != caller.organisation_code:
        raise not_found(f"organisation {code}")
    caller.require(Role.ADMIN)
    row = uow.session.get(OrganisationRow, caller.organisation_code)
    if row is None:
        raise not_found(f"organisation {code}")
    before = _organisation(row)
    new_name = before.name if name is None else name.strip()
    new_sme = before.sme if sme is None else sme
    if not new_name:
        raise CarepoolError("name: is empty; give the organisation's registered name")
    if len(new_name) > MOST_NAME:
        raise CarepoolError(f"name: at most {MOST_NAME} characters")
    if new_sme and before.kind is not OrgKind.PROVIDER:
        raise CarepoolError(f"sme: only providers carry the SME flag, and {before.name} is a "
                            f"{before.kind.label.lower()}")
    after = replace(before, name=new_name, sme=new_sme)
    if after != before:
        row.name, row.sme = after.name, after.sme
        audit.record(uow=uow, actor=caller.actor, organisation=row.code, action="organisation.saved",
                     entity_type="organisation", entity_id=row.code, before=asdict(before), after=asdict(after))
        uow.commit()
    return after


def _save_populations(uow: UnitOfWork, actor: str, populations: list[Population]) -> None:
    if not populations:
        return
    session = uow.session
    existing = {
        (r.locality_code, r.age_band, r.year): r for r in session.execute(select(PopulationRow)).scalars()
    }
    changed: dict[str, int] = defaultdict(int)
    for pop in populations:
        row = existing.get((pop.locality_code, pop.age_band, pop.year))
        if row is None:
            session.add(PopulationRow(locality_code=pop.locality_code, age_band=pop.age_band,
                                      year=pop.year, count=pop.count))
            changed[pop.locality_code] += 1
        elif row.count != pop.count:
            row.count = pop.count
            changed[pop.locality_code] += 1
    if changed:
        audit.record(uow=uow, actor=actor, organisation=None, action="populations.saved",
                     entity_type="population", entity_id="batch",
                     after={"rows_changed_by_locality": dict(sorted(changed.items()))})


@dataclass(frozen=True)
class LocalitySummary:
    code: str
    name: str
    nhs_code: str
    population: int
    by_band: dict[str, int]


@dataclass(frozen=True)
class CouncilSummary:
    council: Organisation
    localities: list[LocalitySummary]

    @property
    def population(self) -> int:
        return sum(loc.population for loc in self.localities)

    @property
    def older_people(self) -> int:
        return sum(loc.by_band.get("65-74", 0) + loc.by_band.get("75-84", 0) + loc.by_band.get("85+", 0)
                   for loc in self.localities)

    @property
    def oldest_people(self) -> int:
        """Aged 85 and over."""
        return sum(loc.by_band.get("85+", 0) for loc in self.localities)


@dataclass(frozen=True)
class Dashboard:
    year: int | None
    councils: list[CouncilSummary]
    nhs_commissioners: list[Organisation]
    provider_count: int
    sme_provider_count: int


def dashboard(*, uow: UnitOfWork) -> Dashboard:
    """Partners and localities with their populations in the latest year on record."""
    session = uow.session
    year = session.execute(select(func.max(PopulationRow.year))).scalar()
    bands: dict[str, dict[str, int]] = defaultdict(dict)
    if year is not None:
        for row in session.execute(select(PopulationRow).where(PopulationRow.year == year)).scalars():
            bands[row.locality_code][row.age_band] = row.count
    organisations = list_organisations(uow=uow)
    localities = list_localities(uow=uow)
    councils = []
    for council in (o for o in organisations if o.kind is OrgKind.LOCAL_AUTHORITY):
        summaries = [
            LocalitySummary(loc.code, loc.name, loc.nhs_code, sum(bands[loc.code].values()),
                            {band: bands[loc.code].get(band, 0) for band in AGE_BANDS})
            for loc in localities if loc.council_code == council.code
        ]
        councils.append(CouncilSummary(council, summaries))
    providers = [o for o in organisations if o.kind is OrgKind.PROVIDER]
    return Dashboard(
        year=year,
        councils=councils,
        nhs_commissioners=[o for o in organisations if o.kind is OrgKind.NHS_COMMISSIONER],
        provider_count=len(providers),
        sme_provider_count=sum(1 for p in providers if p.sme),
    )
