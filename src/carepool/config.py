"""Settings, read once from the environment and passed down; nothing is built at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///carepool.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    data_dir: Path = Path(".")
    secure_cookies: bool = False
    open_registration: bool = True  # care providers may register themselves to bid (/register)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("CAREPOOL_DATABASE_URL", DEFAULT_DATABASE_URL),
            data_dir=Path(env.get("CAREPOOL_DATA_DIR", ".")),
            secure_cookies=env.get("CAREPOOL_SECURE_COOKIES", "").lower() in {"1", "true", "yes"},
            open_registration=env.get("CAREPOOL_OPEN_REGISTRATION", "1").lower() not in {"0", "false", "no"},
        )
