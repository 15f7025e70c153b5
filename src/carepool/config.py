"""Settings, read once from the environment and passed down; nothing is built at import."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from carepool.core.errors import CarepoolError

DEFAULT_DATABASE_URL = "sqlite:///carepool.db"
# Open contracting data: a publisher registers its own ocid prefix with the Open Contracting Partnership, and serves
# the packages at its own address; these placeholders say so in every file until it does.
PLACEHOLDER_OCID_PREFIX = "ocds-cpool0"
PLACEHOLDER_OCDS_BASE_URI = "https://carepool.example/ocds"
_OCID_PREFIX = re.compile(r"ocds-[a-z0-9]{6}")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    data_dir: Path = Path(".")
    secure_cookies: bool = False
    open_registration: bool = True  # care providers may register themselves to bid (/register)
    ocid_prefix: str = PLACEHOLDER_OCID_PREFIX  # CAREPOOL_OCID_PREFIX, e.g. ocds-a1b2c3
    ocds_base_uri: str = PLACEHOLDER_OCDS_BASE_URI  # CAREPOOL_OCDS_BASE_URI: where the packages are served

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("CAREPOOL_DATABASE_URL", DEFAULT_DATABASE_URL),
            data_dir=Path(env.get("CAREPOOL_DATA_DIR", ".")),
            secure_cookies=env.get("CAREPOOL_SECURE_COOKIES", "").lower() in {"1", "true", "yes"},
            open_registration=env.get("CAREPOOL_OPEN_REGISTRATION", "1").lower() not in {"0", "false", "no"},
            ocid_prefix=_ocid_prefix(env.get("CAREPOOL_OCID_PREFIX", PLACEHOLDER_OCID_PREFIX)),
            ocds_base_uri=_base_uri(env.get("CAREPOOL_OCDS_BASE_URI", PLACEHOLDER_OCDS_BASE_URI)),
        )


def _ocid_prefix(value: str) -> str:
    prefix = value.strip()
    if not _OCID_PREFIX.fullmatch(prefix):
        raise CarepoolError(f"CAREPOOL_OCID_PREFIX: expected the prefix the Open Contracting Partnership registered "
                            f"for you, 'ocds-' and six lower-case letters or digits (e.g. ocds-a1b2c3), got {value!r}")
    return prefix


def _base_uri(value: str) -> str:
    uri = value.strip().rstrip("/")
    if not uri.startswith(("https://", "http://")) or " " in uri:
        raise CarepoolError(f"CAREPOOL_OCDS_BASE_URI: expected the web address the packages are served at, such as "
                            f"https://data.example.gov.uk/ocds, got {value!r}")
    return uri
