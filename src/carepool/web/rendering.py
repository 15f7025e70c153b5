"""One Jinja2 environment over every feature's templates, and the page helper."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.responses import Response

from carepool.audit.model import action_label, actor_label, record_label
from carepool.core.money import Money, percent
from carepool.partners.model import Caller
from carepool.web.csrf import FORM_FIELD, PageToken

PACKAGE = Path(__file__).resolve().parent.parent
FEATURE_TEMPLATES = sorted(p for p in PACKAGE.glob("*/templates") if p.parent.name != "web")
TEMPLATE_DIRS = [PACKAGE / "web" / "templates", *FEATURE_TEMPLATES]


def _money(value: Money | None) -> str:
    return "" if value is None else str(value)


def _pence(value: int | None) -> Money | None:
    """Whole pence kept as an int (a stored game's values) as Money, for the ``money`` filter after it."""
    return None if value is None else Money(value)


def _number(value: int | float | Decimal | None) -> str:
    return "" if value is None else f"{value:,}"


def _hash_lines(digest: str) -> Markup:
    """A SHA-256 in two lines of 32 characters: it may break only at the middle, so a receipt's row is two lines
    high on a phone, not nine, and a copied hash has no space in it."""
    half = len(digest) // 2
    return Markup(f'<code class="hash">{escape(digest[:half])}<wbr>{escape(digest[half:])}</code>')


@pass_context
def _csrf_field(context: Context) -> Markup:
    """The hidden field every form that changes something carries: ``{{ csrf_field() }}``."""
    return Markup(f'<input type="hidden" name="{FORM_FIELD}" value="{escape(str(context["csrf_token"]))}">')


def make_templates() -> Jinja2Templates:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = _money
    environment.filters["number"] = _number
    environment.filters["pence"] = _pence
    environment.filters["hash_lines"] = _hash_lines
    environment.filters["actor"] = actor_label
    environment.filters["action"] = action_label
    environment.globals["record_label"] = record_label
    environment.filters["percent"] = percent
    environment.globals["csrf_field"] = _csrf_field
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
