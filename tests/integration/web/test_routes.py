"""Deny by default: every route of every feature needs a signed-in caller, except signing in and out, a
provider registering itself, and the public open data, which lives under /open-data/ and never asks who you are."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from carepool.core.ids import LARGEST_ROW_ID
from carepool.web.deps import current_caller

PACKAGE = Path(importlib.import_module("carepool").__file__).parent  # type: ignore[arg-type]
SIGN_IN_AND_OUT = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"),
                   ("GET", "/register"), ("POST", "/register")}
PUBLIC_PREFIX = "/open-data"


def _asks_who(dependant: Dependant) -> bool:
    return any(d.call is current_caller or _asks_who(d) for d in dependant.dependencies)


def _routes(router: object) -> Iterator[APIRoute]:
    for route in router.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # a router included in a router
            yield from _routes(route.original_router)


def _every_route() -> Iterator[tuple[str, str, APIRoute]]:
    for feature in sorted(p.name for p in PACKAGE.iterdir() if p.is_dir()):
        for kind in ("pages", "api"):
            if (PACKAGE / feature / f"{kind}.py").exists():
                module = importlib.import_module(f"carepool.{feature}.{kind}")
                for route in _routes(module.router):
                    yield f"{feature}.{kind}", route.path, route


def test_only_sign_in_and_open_data_answer_without_a_caller() -> None:
    seen = 0
    for where, path, route in _every_route():
        seen += 1
        public = path == PUBLIC_PREFIX or path.startswith(f"{PUBLIC_PREFIX}/")
        if public:
            assert not _asks_who(route.dependant), f"{where} {path}: open data must not need a sign-in"
            assert route.methods == {"GET"}, f"{where} {path}: open data is read-only"
        elif not {(m, path) for m in route.methods} <= SIGN_IN_AND_OUT:
            assert _asks_who(route.dependant), f"{where} {sorted(route.methods)} {path} answers anyone"
    assert seen > 100  # the walk really reached the features' routes


def test_every_record_number_in_a_page_address_is_bounded() -> None:
    """A number no table could hold (2**70) answers "must be at most ...", not a database error (a 500)."""
    bounded = 0
    for where, path, route in _every_route():
        for param in route.dependant.path_params:
            if param.field_info.annotation is int:
                limits = [getattr(m, "le", None) for m in param.field_info.metadata]
                assert LARGEST_ROW_ID in limits, f"{where} {path}: {param.name} takes any integer"
                bounded += 1
    assert bounded > 30

