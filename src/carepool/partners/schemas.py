"""Pydantic models at the API edge for partners and users (read straight from the dataclasses)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from carepool.partners.model import Caller


class _FromModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrganisationRead(_FromModel):
    code: str
    name: str
    kind: str
    sme: bool


class OrganisationUpdate(BaseModel):
    """Your own organisation's details, changed by its admins; a field left out keeps what is on record."""

    name: str | None = Field(None, description="the organisation's registered name")
    sme: bool | None = Field(None, description="providers only: whether it is a small or medium-sized enterprise "
                             "(fewer than 250 staff, and a turnover of at most £44m or a balance sheet of at most "
                             "£38m); it decides whether the provider counts towards an award's floor for SMEs")


class LocalityRead(_FromModel):
    code: str
    name: str
    council_code: str
    nhs_code: str


class PopulationRead(_FromModel):
    locality_code: str
    age_band: str
    year: int
    count: int


class UserRead(_FromModel):
    email: str  # a user is named by email; its number would count every organisation's users
    name: str
    organisation_code: str
    roles: list[str]
    active: bool


class ColleagueCreate(BaseModel):
    email: str
    name: str
    roles: list[str] = Field(description="provider and/or admin for a provider; viewer, commissioner, finance, "
                                         "procurement and/or admin for a commissioning partner")
    password: str = Field(description="a first password (at least 10 characters), to give them in person")


class UserUpdate(BaseModel):
    """A change to a colleague's access, by their organisation's admins; a field left out keeps what is on record."""

    active: bool | None = Field(None, description="false deactivates the user: they cannot sign in, and their web "
                                "sessions and API tokens stop working at once; true lets them sign in again with "
                                "their password (tokens stay revoked)")
    roles: list[str] | None = Field(None, description="the user's roles from now on (all of them), from those "
                                    "their organisation's people may hold")


class TokensRevokedRead(BaseModel):
    email: str
    revoked: int = Field(description="how many API tokens were revoked (0 if the user held none)")


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


class ImportSummaryRead(_FromModel):
    organisations: int
    localities: int
    populations: int
