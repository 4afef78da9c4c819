"""Request bodies above the configured size are refused with 413 problem JSON as they arrive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI, Request

from ratsraum_common.app import create_app
from ratsraum_common.body_limit import read_body

LIMIT = 2048


def _app() -> tuple[FastAPI, list[int]]:
    app, _metrics, _ready = create_app(service="limit-test", title="t", max_body_bytes=LIMIT)
    seen: list[int] = []

    @app.post("/api/v1/echo")
    async def echo(data: dict[str, Any]) -> dict[str, int]:
        seen.append(len(str(data)))
        return {"keys": len(data)}

    @app.post("/api/v1/hook")
    async def hook(request: Request) -> dict[str, int]:
        body = await read_body(request, max_bytes=100)
        return {"bytes": len(body)}

    return app, seen


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://svc.test")


async def _chunks(total: int) -> AsyncIterator[bytes]:
    yield b'{"a":"'
    for _ in range(total // 512):
        yield b"x" * 512
    yield b'"}'


async def test_a_declared_oversize_body_is_refused_before_the_app_runs() -> None:
    app, seen = _app()
    async with _client(app) as client:
        response = await client.post("/api/v1/echo", json={"a": "x" * (LIMIT + 1)},
                                     headers={"Accept-Language": "de"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/body-too-large")
    assert str(LIMIT) in problem["detail"]
    assert problem["title"] == "Anfrage zu groß"
    assert seen == []


async def test_a_chunked_body_is_stopped_once_it_grows_past_the_limit() -> None:
    app, seen = _app()
    async with _client(app) as client:
        response = await client.post("/api/v1/echo", content=_chunks(LIMIT * 4),
                                     headers={"Content-Type": "application/json"})
        small = await client.post("/api/v1/echo", content=_chunks(LIMIT // 2),
                                  headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.json()["status"] == 413
    assert small.status_code == 200
    assert len(seen) == 1  # only the small one reached the handler


async def test_a_route_can_set_a_tighter_limit_of_its_own() -> None:
    app, _seen = _app()
    async with _client(app) as client:
        fits = await client.post("/api/v1/hook", content=b"x" * 100)
        too_big = await client.post("/api/v1/hook", content=_chunks(600))
    assert fits.json() == {"bytes": 100}
    assert too_big.status_code == 413
    assert "100" in too_big.json()["detail"]
