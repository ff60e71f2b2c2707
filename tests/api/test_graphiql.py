"""GraphiQL's page and assets, served from the package with no URL pointing elsewhere."""

from __future__ import annotations

import gzip
import re
from importlib.resources import files

import httpx

from opd_graphql.api.graphiql import ASSET_TYPES

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ASSET_URL = re.compile(r'(?:src|href)="(/graphiql-assets/([^"?]+)\?v=[0-9a-f]{12})"')


async def page(http: httpx.AsyncClient) -> httpx.Response:
    response = await http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    return response


async def test_the_page_points_only_at_this_server(http: httpx.AsyncClient) -> None:
    response = await page(http)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert 'id="graphiql"' in response.text
    for outside in ("unpkg", "http://", "https://", "//cdn", "integrity="):
        assert outside not in response.text
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "connect-src 'self';" in csp
    assert "unsafe" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_every_asset_the_page_names_is_served(http: httpx.AsyncClient) -> None:
    referenced = ASSET_URL.findall((await page(http)).text)
    assert {name for _, name in referenced} == set(ASSET_TYPES)
    assert "<script>" not in (await page(http)).text
    for url, name in referenced:
        response = await http.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == ASSET_TYPES[name]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        expected = files("opd_graphql.web").joinpath("graphiql", name).read_bytes()
        assert response.content == expected, name


async def test_the_assets_are_gzipped_for_a_browser_that_asks(http: httpx.AsyncClient) -> None:
    url = "/graphiql-assets/graphiql.min.js"
    expected = files("opd_graphql.web").joinpath("graphiql", "graphiql.min.js").read_bytes()
    async with http.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert len(raw) < len(expected) / 3
    assert gzip.decompress(raw) == expected

    plain = await http.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == expected


async def test_an_unknown_asset_is_not_found(http: httpx.AsyncClient) -> None:
    for name in ("nope.js", "graphiql.html", "README.md", "__init__.py", "graphiql.min.js.map"):
        response = await http.get(f"/graphiql-assets/{name}")
        assert response.status_code == 404, name
    for path in ("/graphiql-assets/LICENSES/react.LICENSE", "/graphiql-assets/../graphiql.py"):
        assert (await http.get(path)).status_code == 404, path


async def test_a_query_by_get_still_runs(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "{ __typename }"}, headers=BROWSER)
    assert response.json() == {"data": {"__typename": "Query"}}
