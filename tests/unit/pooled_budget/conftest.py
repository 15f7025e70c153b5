"""Fixtures for the pooled budget tests: run the real CLI in-process, write agreement files."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from carepool.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``cli("pool", "settle", path)`` → exit code, stdout and stderr."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any], Path]:
    """Write JSON data (or raw text) to a file in a fresh directory and return its path."""

    def write(data: Any, name: str = "agreement.json") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return path

    return write
