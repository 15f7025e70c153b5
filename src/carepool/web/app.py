"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from carepool import __version__
from carepool.config import Settings
from carepool.core.errors import HTTP_STATUS, CarepoolError
from carepool.db import meta
from carepool.db.engine import Database
from carepool.web.charts import PLOTLY_JS_URL, plotly_js_path
from carepool.web.rendering import make_templates, render

STATIC = Path(__file__).parent / "static"


def _error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, CarepoolError)
    status = HTTP_STATUS.get(error.kind, 400)
    if request.url.path.startswith("/api"):
        body = {"error": error.message, "kind": error.kind, "problems": [str(p) for p in error.problems]}
        return JSONResponse(body, status_code=status)
    if error.kind == "unauthenticated":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return render(request, "error.html", {"error": error, "status": status}, status_code=status)


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
    )
    app.state.database = database
    app.state.settings = settings
    app.state.templates = make_templates()
    app.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie="carepool_session",
        same_site="lax", https_only=settings.secure_cookies, max_age=8 * 3600,
    )
    app.add_exception_handler(CarepoolError, _error_handler)
    @app.get(PLOTLY_JS_URL, include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    from carepool.audit.api import router as audit_api
    from carepool.audit.pages import router as audit_pages
    from carepool.partners.api import router as partners_api
    from carepool.partners.pages import router as partners_pages
    from carepool.web.pages import router as shell_pages

    for router in (shell_pages, partners_pages, audit_pages, partners_api, audit_api):
        app.include_router(router)
    return app
