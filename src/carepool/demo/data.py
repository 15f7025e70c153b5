"""The demo consortium: six West London boroughs, their ICB, localities, populations, providers.

Population totals are close to the 2021 Census for each borough, split into
localities and age bands by rule of thumb: they are ILLUSTRATIVE, not official.
Provider names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from carepool.core.money import allocate_int
from carepool.partners.model import AGE_BANDS, Locality, Organisation, OrgKind, Population

POPULATION_YEAR = 2026
ICB = Organisation("QRV", "NHS North West London ICB", OrgKind.NHS_COMMISSIONER)
DEMO_PASSWORD = "carepool-demo"


@dataclass(frozen=True)
class Borough:
    code: str
    name: str
    population: int
    # shares of 0-17, 18-64, 65-74, 75-84, 85+ in thousandths
    age_mix: tuple[int, int, int, int, int]
    localities: tuple[tuple[str, str, int], ...]  # (code, name, weight)


BOROUGHS = [
    Borough("E09000005", "London Borough of Brent", 339_800, (226, 652, 66, 39, 17),
            (("BRENT-KIL", "Kilburn and Kensal", 30), ("BRENT-HAR", "Harlesden and Willesden", 34),
             ("BRENT-WEM", "Wembley and Kingsbury", 36))),
    Borough("E09000009", "London Borough of Ealing", 367_100, (229, 641, 71, 42, 17),
            (("EALING-ACT", "Ealing and Acton", 38), ("EALING-SOU", "Southall and Northolt", 35),
             ("EALING-GRE", "Greenford and Perivale", 27))),
    Borough("E09000013", "London Borough of Hammersmith and Fulham", 183_200, (183, 712, 58, 33, 14),
            (("HF-NORTH", "Hammersmith North", 48), ("HF-FULHAM", "Fulham", 52))),
    Borough("E09000015", "London Borough of Harrow", 261_200, (227, 612, 82, 56, 23),
            (("HARROW-E", "Harrow East", 51), ("HARROW-W", "Harrow West", 49))),
    Borough("E09000017", "London Borough of Hillingdon", 305_900, (240, 622, 73, 46, 19),
            (("HILL-N", "Hillingdon North", 46), ("HILL-S", "Hillingdon South", 54))),
    Borough("E09000018", "London Borough of Hounslow", 288_200, (230, 652, 65, 38, 15),
            (("HOUN-HH", "Hounslow and Heston", 44), ("HOUN-CB", "Chiswick and Brentford", 27),
             ("HOUN-FEL", "Feltham", 29))),
]

GP_CLUSTERS = [
    Organisation("U10501", "Brent Harness Primary Care Network", OrgKind.GP_CLUSTER),
    Organisation("U20902", "Ealing Southall Primary Care Network", OrgKind.GP_CLUSTER),
    Organisation("U31703", "Hillingdon North Primary Care Network", OrgKind.GP_CLUSTER),
]

_SME_NAMES = [
    "Kindly Care", "Willow Home Support", "Harlesden Helping Hands", "Acton Community Carers",
    "Northolt Home Care", "Brentford Companions", "Fulham Friends at Home", "Wembley Care Collective",
    "Southall Sewa Care", "Greenford Grace Homecare", "Harrow Hearth Care", "Pinner Personal Support",
    "Ruislip Reablement Team", "Uxbridge Home Assist", "Hayes Heart Care", "Feltham Family Care",
    "Heston Helping Home", "Chiswick Care Cooperative", "Kensal Rise Carers", "Kingsbury Kind Hands",
    "Perivale Personal Care", "Hanwell Home Help", "Isleworth In-Home Care", "Stanmore Support Services",
    "Edgware Extra Care", "Yiewsley Young at Heart", "Hillingdon Hospice at Home", "Shepherd's Bush Support",
    "Park Royal Care Partners", "Cranford Community Care", "Neasden Neighbours Care", "Alperton Allies",
    "Wealdstone Wellbeing Care", "Northwood Nursing at Home",
]
_LARGE_NAMES = [
    "Allied Homecare Group", "Meridian Care Services", "Sterling Support plc",
    "Crown Community Care", "Beacon Health and Care", "Apex Domiciliary Services",
]


def _provider_code(index: int) -> str:
    return f"1-10{(7_000_000 + index * 13_579) % 10_000_000:07d}"


def providers() -> list[Organisation]:
    smes = [Organisation(_provider_code(i), f"{name} Ltd", OrgKind.PROVIDER, sme=True)
            for i, name in enumerate(_SME_NAMES)]
    large = [Organisation(_provider_code(100 + i), name if name.endswith("plc") else f"{name} Ltd",
                          OrgKind.PROVIDER, sme=False) for i, name in enumerate(_LARGE_NAMES)]
    return smes + large


def organisations() -> list[Organisation]:
    councils = [Organisation(b.code, b.name, OrgKind.LOCAL_AUTHORITY) for b in BOROUGHS]
    return [ICB, *councils, *GP_CLUSTERS, *providers()]


def localities() -> list[Locality]:
    return [Locality(code, name, b.code, ICB.code) for b in BOROUGHS for code, name, _ in b.localities]


def populations(year: int = POPULATION_YEAR) -> list[Population]:
    rows = []
    for borough in BOROUGHS:
        totals = allocate_int(borough.population, [Fraction(w) for _, _, w in borough.localities])
        for (code, _, _), total in zip(borough.localities, totals, strict=True):
            counts = allocate_int(total, list(borough.age_mix))
            rows += [Population(code, band, year, n) for band, n in zip(AGE_BANDS, counts, strict=True)]
    return rows


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    organisation_code: str
    roles: tuple[str, ...]
    persona: str


def users() -> list[DemoUser]:
    tom_agency = providers()[0]
    return [
        DemoUser("priya@brent.demo", "Priya Shah", "E09000005", ("admin", "commissioner", "finance"),
                 "pooled fund manager, Brent (host council)"),
        DemoUser("marcus@nwl-icb.demo", "Marcus Bell", ICB.code, ("finance", "commissioner"),
                 "ICB finance lead"),
        DemoUser("aisha@lbhf.demo", "Aisha Rahman", "E09000013", ("procurement", "commissioner", "admin"),
                 "procurement lead of the six-borough consortium"),
        DemoUser("tom@kindlycare.demo", "Tom Okoro", tom_agency.code, ("provider", "admin"),
                 f"director of {tom_agency.name} (small home care agency)"),
        DemoUser("cllr.hughes@brent.demo", "Cllr Hughes", "E09000005", ("viewer",),
                 "chair of the Health and Wellbeing Board"),
        *[DemoUser(f"finance@{b.code.lower()}.demo", f"Finance director, {b.name.removeprefix('London Borough of ')}",
                   b.code, ("finance", "viewer"), "consortium finance director") for b in BOROUGHS[1:]],
    ]
