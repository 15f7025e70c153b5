"""One Jinja2 environment over every feature's templates, and the page helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from carepool.core.money import Money
from carepool.partners.model import Caller
from carepool.web.csrf import PageToken

PACKAGE = Path(__file__).resolve().parent.parent
FEATURE_TEMPLATES = sorted(p for p in PACKAGE.glob("*/templates") if p.parent.name != "web")
TEMPLATE_DIRS = [PACKAGE / "web" / "templates", *FEATURE_TEMPLATES]

def _money(value: Money | None) -> str:
    return "" if value is None else str(value)


def _number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


def make_templates() -> Jinja2Templates:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = _money
    environment.filters["number"] = _number
    return Jinja2Templates(env=environment)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *,
    caller: Caller | None = None, status_code: int = 200,
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    navigation = getattr(request.app.state, "navigation", [])
    full = {"caller": caller, "navigation": navigation, "path": request.url.path,
            "csrf_token": PageToken(request), **(context or {})}
    return templates.TemplateResponse(request, template, full, status_code=status_code)
