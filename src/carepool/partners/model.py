"""Partners: who takes part, where they are, who lives there, and who may do what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from carepool.core.errors import CarepoolError, parse_choice
from carepool.core.ids import OrgCode, gss_code, ods_code, provider_code


class OrgKind(StrEnum):
    NHS_COMMISSIONER = "nhs_commissioner"
    LOCAL_AUTHORITY = "local_authority"
    GP_CLUSTER = "gp_cluster"
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return {
            "nhs_commissioner": "NHS commissioner",
            "local_authority": "Local authority",
            "gp_cluster": "GP cluster",
            "provider": "Provider",
        }[self.value]


class Role(StrEnum):
    VIEWER = "viewer"
    COMMISSIONER = "commissioner"
    FINANCE = "finance"
    PROCUREMENT = "procurement"
    PROVIDER = "provider"
    ADMIN = "admin"


# Everyone at a commissioning partner (a provider's own staff have Role.PROVIDER, and only it, unless admins)
PARTNER_ROLES = (Role.VIEWER, Role.COMMISSIONER, Role.FINANCE, Role.PROCUREMENT, Role.ADMIN)


AGE_BANDS: tuple[str, ...] = ("0-17", "18-64", "65-74", "75-84", "85+")
_LOCALITY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")


def code_for_kind(code: str, kind: OrgKind) -> OrgCode:
    """Councils are known by GSS codes, NHS bodies by ODS codes, providers by ODS or CQC ids."""
    if kind is OrgKind.LOCAL_AUTHORITY:
        return gss_code(code)
    if kind is OrgKind.PROVIDER:
        return provider_code(code)
    return ods_code(code)


def parse_kind(value: str) -> OrgKind:
    return parse_choice(OrgKind, value, "kind of organisation")


def parse_role(value: str) -> Role:
    return parse_choice(Role, value, "role")


def locality_code(value: str) -> str:
    code = str(value).strip().upper()
    if not _LOCALITY_CODE.match(code):
        raise CarepoolError(
            f"{value!r} is not a locality code: expected 2-30 capital letters, digits or dashes, e.g. BRENT-N"
        )
    return code


def age_band(value: str) -> str:
    band = str(value).strip()
    if band not in AGE_BANDS:
        raise CarepoolError(f"{value!r} is not an age band; expected one of {', '.join(AGE_BANDS)}")
    return band


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    kind: OrgKind
    sme: bool = False

    def __post_init__(self) -> None:
        code_for_kind(self.code, self.kind)
        if not self.name.strip():
            raise CarepoolError(f"organisation {self.code}: name is empty")
        if self.sme and self.kind is not OrgKind.PROVIDER:
            raise CarepoolError(f"organisation {self.code}: only providers carry the SME flag")


# How people name a council or an ICB in a sentence ("Brent would save more alone"), not in a register.
_SPOKEN_PREFIXES = ("London Borough of ", "Royal Borough of ")
_SPOKEN_SUFFIXES = ((" Metropolitan Borough Council", ""), (" Borough Council", ""), (" District Council", ""),
                    (" County Council", ""), (" City Council", ""), (" Council", ""),
                    (" Integrated Care Board", " ICB"))


def spoken_name(name: str) -> str:
    """The name as people say it: "Brent" for "London Borough of Brent", "Leeds" for "Leeds City Council",
    "NHS Kent and Medway ICB" for "NHS Kent and Medway Integrated Care Board"; any other name as it is."""
    short = name.strip()
    for prefix in _SPOKEN_PREFIXES:
        if short.startswith(prefix) and len(short) > len(prefix):
            short = short[len(prefix):]
            break
    for suffix, instead in _SPOKEN_SUFFIXES:
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)] + instead
            break
    return short


def spoken_names(names: dict[str, str]) -> dict[str, str]:
    """Each name as people say it, unless two would then read alike: then those keep their full names."""
    spoken = {code: spoken_name(name) for code, name in names.items()}
    taken = list(spoken.values())
    return {code: name if taken.count(name) == 1 else names[code] for code, name in spoken.items()}


@dataclass(frozen=True)
class Locality:
    code: str
    name: str
    council_code: str
    nhs_code: str


@dataclass(frozen=True)
class Population:
    locality_code: str
    age_band: str
    year: int
    count: int


@dataclass(frozen=True)
class Caller:
    """Who is asking: a signed-in user, scoped to one organisation and its roles."""

    user_id: int
    email: str
    name: str
    organisation_code: str
    organisation_name: str
    roles: frozenset[Role]
    organisation_kind: OrgKind | None = None

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    def in_menu(self, roles: tuple[Role, ...]) -> bool:
        """Whether a menu entry for ``roles`` (none: everyone) is for this user. The commissioning partners'
        pages stay out of a provider's menu even for its admins (who administer the provider, not the pool)."""
        if not roles:
            return True
        if self.organisation_kind is OrgKind.PROVIDER and tuple(roles) == PARTNER_ROLES:
            return False
        return self.has(*roles)

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            wanted = " or ".join(r.value for r in roles)
            raise CarepoolError(f"this needs the {wanted} role", kind="forbidden")

    @property
    def actor(self) -> str:
        return f"user:{self.email}"
