"""Real-world identifiers: ONS GSS codes for councils, NHS ODS codes, CQC provider ids."""

from __future__ import annotations

import re
from typing import NewType

from carepool.core.errors import CarepoolError

OrgCode = NewType("OrgCode", str)

LARGEST_ROW_ID = 2**31 - 1  # a record's number in a page address or a form: above this no table has one (PostgreSQL's
# integer), and the database would fail on it rather than say "not found"


def row_number(value: object, *, what: str) -> int:
    """A record's number typed in a form (a select's value), refused by name unless it could be one."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= LARGEST_ROW_ID:
        raise CarepoolError(f"{what}: expected a record number from the list, got {value!r}")
    return int(text)

GSS_COUNCIL = re.compile(r"^E(06|07|08|09|10)\d{6}$")
ODS = re.compile(r"^(?=[A-Z0-9]*[A-Z])[A-Z0-9]{3,6}$")
CQC_PROVIDER = re.compile(r"^1-\d{9,11}$")

GSS_KINDS = {
    "E06": "unitary authority",
    "E07": "district council",
    "E08": "metropolitan borough",
    "E09": "London borough",
    "E10": "county council",
}


def _clean(code: str) -> str:
    return code.strip().upper() if isinstance(code, str) else code


def is_gss_council(code: str) -> bool:
    return bool(GSS_COUNCIL.match(_clean(code)))


def is_ods(code: str) -> bool:
    return bool(ODS.match(_clean(code)))


def gss_code(code: str) -> OrgCode:
    cleaned = _clean(code)
    if not isinstance(cleaned, str) or not GSS_COUNCIL.match(cleaned):
        raise CarepoolError(
            f"{code!r} is not a council GSS code: expected E06, E07, E08, E09 or E10 "
            "followed by 6 digits, e.g. E09000005"
        )
    return OrgCode(cleaned)


def ods_code(code: str) -> OrgCode:
    cleaned = _clean(code)
    if not isinstance(cleaned, str) or not ODS.match(cleaned):
        raise CarepoolError(
            f"{code!r} is not an NHS ODS code: expected 3 to 6 letters and digits, e.g. QRV"
        )
    return OrgCode(cleaned)


def provider_code(code: str) -> OrgCode:
    """Providers are known by an ODS code or a CQC provider id (``1-101234567``)."""
    cleaned = _clean(code)
    if isinstance(cleaned, str) and (ODS.match(cleaned) or CQC_PROVIDER.match(cleaned)):
        return OrgCode(cleaned)
    raise CarepoolError(
        f"{code!r} is not a provider code: expected an ODS code (e.g. RYJ) "
        "or a CQC provider id (e.g. 1-101234567)"
    )
