"""The API pages of both apps, offline: Swagger UI at ``/docs``, ReDoc at ``/redoc``.

:func:`api_app` builds an app whose pages load their scripts and styles from the copies the
`fastapi-offline` package ships, never from a CDN, so they work in a classroom without a network,
under a content security policy that keeps the browser on this host; its OpenAPI document is
:func:`paycore.payment.openapi.finish`-ed.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi_offline import FastAPIOffline

from paycore.payment.openapi import finish

DOCS_ASSETS = "/static-offline-docs"
"""Where `fastapi-offline` serves Swagger UI's and ReDoc's scripts, styles and icon, from the package."""
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""The API pages may load from this host only. ReDoc's menu shows a logo from its makers' CDN,
which this policy keeps the browser from fetching (ReDoc then leaves the logo out)."""


def _docs_pages(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` (ReDoc): assets from this host, under :data:`DOCS_POLICY`."""

    def page(html: HTMLResponse) -> HTMLResponse:
        html.headers["Content-Security-Policy"] = DOCS_POLICY
        return html

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return page(
            get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                # the online validator badge would fetch from another host
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return page(
            get_redoc_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                with_google_fonts=False,
            )
        )


def api_app(*, security_schemes: dict[str, dict] | None = None, **settings: Any) -> FastAPI:
    """A FastAPI app with offline ``/docs`` and ``/redoc`` and a :func:`finish`-ed OpenAPI document."""
    # fastapi-offline mounts its copies of the assets; the pages themselves are ours, with a policy
    app = FastAPIOffline(docs_url=None, redoc_url=None, static_url=DOCS_ASSETS, **settings)
    _docs_pages(app)

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = finish(spec, security_schemes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
