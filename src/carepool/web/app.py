"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import FileResponse, RedirectResponse, Response

from carepool import __version__
from carepool.config import Settings
from carepool.core.errors import HTTP_STATUS, CarepoolError
from carepool.db import meta
from carepool.db.engine import Database
from carepool.jobs.runners import runner_for
from carepool.partners import web_sessions
from carepool.partners.model import Role
from carepool.web import uploads
from carepool.web.charts import PLOTLY_JS_URL, plotly_js_gzipped, plotly_js_path
from carepool.web.csrf import check_csrf
from carepool.web.errors import add_error_pages, api_error, back_link, is_api, signed_in
from carepool.web.rendering import make_templates, render

STATIC = Path(__file__).parent / "static"


def _error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, CarepoolError)
    status = HTTP_STATUS.get(error.kind, 400)
    if is_api(request.url.path):
        return api_error(error, status)
    if error.kind == "unauthenticated":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    return render(request, "error.html", {"error": error, "status": status, "back": back_link(request)},
                  status_code=status, caller=signed_in(request))


NavEntry = tuple[str, str, tuple[Role, ...]]  # label, path, the roles it is for (none: every signed-in user)


def include_feature_routers(app: FastAPI) -> list[NavEntry]:
    """Mount ``router`` of every ``carepool.<feature>.pages`` and ``.api`` module that exists.

    A pages module may declare ``NAV = (position, label, path)`` to appear in the navigation, or
    ``(position, label, path, roles)`` to appear only for users with one of ``roles``.
    """
    import importlib

    entries: list[tuple] = [(0, "Dashboard", "/"), (99, "API", "/api/docs")]
    package = Path(__file__).resolve().parent.parent
    features = ["web", *sorted(p.name for p in package.iterdir() if p.is_dir() and p.name != "web")]
    for feature in features:
        for kind in ("pages", "api"):
            if not (package / feature / f"{kind}.py").exists():
                continue
            module = importlib.import_module(f"carepool.{feature}.{kind}")
            app.include_router(module.router)
            if kind == "pages" and hasattr(module, "NAV"):
                entries.append(module.NAV)
    return [(label, path, tuple(roles[0]) if roles else ()) for _, label, path, *roles in sorted(entries)]


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    if database is None:
        from carepool.cli_support import open_database

        database = open_database(settings)
    with database.uow() as uow:
        secret = meta.session_secret(uow)

    app = FastAPIOffline(
        title="carepool API",
        version=__version__,
        description="Joint commissioning of health and social care. Authenticate with "
        "`Authorization: Bearer <token>` (make one with `carepool users token EMAIL`).",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        static_url="/static/api-docs",
        dependencies=[Depends(check_csrf)],
        max_body_size=uploads.MAX_REQUEST_BYTES,  # refused with 413 while it arrives, before anything is stored
    )
    app.state.database = database
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.job_runner = runner_for(database)
    app.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie="carepool_session",
        same_site="lax", https_only=settings.secure_cookies, max_age=int(web_sessions.LIFETIME.total_seconds()),
    )
    app.add_exception_handler(CarepoolError, _error_handler)
    add_error_pages(app)

    # API answers, OCDS files and scripts go compressed; pages do not: a page holds the session's CSRF token beside
    # text a visitor can make it echo, and compressing the two together is what a BREACH attack measures.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "text/html"))

    @app.get(PLOTLY_JS_URL, include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        cache = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" not in request.headers.get("accept-encoding", ""):
            return FileResponse(plotly_js_path(), media_type="text/javascript", headers=cache)
        return Response(plotly_js_gzipped(), media_type="text/javascript",  # 4.8 MB as 1.4 MB, compressed once
                        headers={**cache, "Content-Encoding": "gzip"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.state.navigation = include_feature_routers(app)
    return app
