"""Pydantic models at the API edge for partners and users."""

from __future__ import annotations

from pydantic import BaseModel

from carepool.partners.access import UserInfo
from carepool.partners.model import Caller, Locality, Organisation, Population
from carepool.partners.service import ImportSummary


class OrganisationRead(BaseModel):
    code: str
    name: str
    kind: str
    sme: bool

    @classmethod
    def of(cls, org: Organisation) -> OrganisationRead:
        return cls(code=org.code, name=org.name, kind=org.kind.value, sme=org.sme)


class LocalityRead(BaseModel):
    code: str
    name: str
    council_code: str
    nhs_code: str

    @classmethod
    def of(cls, loc: Locality) -> LocalityRead:
        return cls(code=loc.code, name=loc.name, council_code=loc.council_code, nhs_code=loc.nhs_code)


class PopulationRead(BaseModel):
    locality_code: str
    age_band: str
    year: int
    count: int

    @classmethod
    def of(cls, pop: Population) -> PopulationRead:
        return cls(locality_code=pop.locality_code, age_band=pop.age_band, year=pop.year, count=pop.count)


class UserRead(BaseModel):
    id: int
    email: str
    name: str
    organisation_code: str
    roles: list[str]
    active: bool

    @classmethod
    def of(cls, user: UserInfo) -> UserRead:
        return cls(id=user.id, email=user.email, name=user.name, organisation_code=user.organisation_code,
                   roles=[r.value for r in user.roles], active=user.active)


class CallerRead(BaseModel):
    email: str
    name: str
    organisation_code: str
    organisation_name: str
    roles: list[str]

    @classmethod
    def of(cls, caller: Caller) -> CallerRead:
        return cls(email=caller.email, name=caller.name, organisation_code=caller.organisation_code,
                   organisation_name=caller.organisation_name, roles=sorted(r.value for r in caller.roles))


class ImportSummaryRead(BaseModel):
    organisations: int
    localities: int
    populations: int

    @classmethod
    def of(cls, summary: ImportSummary) -> ImportSummaryRead:
        return cls(organisations=summary.organisations, localities=summary.localities,
                   populations=summary.populations)
