"""GraphiQL at GET /graphql, with every script and stylesheet served from the package.

A hospital intranet often has no way out to a CDN; web/graphiql/README.md says where each
file comes from.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from importlib.resources import files
from string import Template

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
ASSET_TYPES = {
    "react.production.min.js": JS,
    "react-dom.production.min.js": JS,
    "js.cookie.min.js": JS,
    "graphiql.min.js": JS,
    "graphiql.min.css": CSS,
    "plugin-explorer.umd.js": JS,
    "plugin-explorer.css": CSS,
    "graphiql-page.js": JS,
    "graphiql-page.css": CSS,
    "favicon.svg": "image/svg+xml",
}

# Nothing but this server: 'self' covers ws(s) to the same host too, for subscriptions.
# GraphiQL's fonts and icons are data: URLs inside its stylesheet.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@cache
def _read(name: str) -> bytes:
    return files("opd_graphql.web").joinpath("graphiql", name).read_bytes()


@cache
def _gzipped(name: str) -> bytes:
    return gzip.compress(_read(name), mtime=0)


@cache
def _version(name: str) -> str:
    return hashlib.sha256(_read(name)).hexdigest()[:12]


def _slot(name: str) -> str:
    return name.replace(".", "_").replace("-", "_")


@cache
def page() -> str:
    versions = {_slot(name): _version(name) for name in ASSET_TYPES}
    return Template(_read("graphiql.html").decode()).substitute(versions)


async def graphiql_asset(request: Request) -> Response:
    name = request.path_params["name"]
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        return PlainTextResponse("Not found.\n", status_code=404)
    # Asset URLs carry a content hash, so a browser may keep them as long as it likes.
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return Response(_read(name), media_type=media_type, headers=headers)
    # GraphiQL's bundle is 3.5 MB, a quarter of that gzipped; compressing it once takes
    # long enough to keep off the event loop.
    body = await run_in_threadpool(_gzipped, name)
    headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=media_type, headers=headers)


routes: list[BaseRoute] = [Route("/graphiql-assets/{name}", graphiql_asset, methods=["GET"])]
