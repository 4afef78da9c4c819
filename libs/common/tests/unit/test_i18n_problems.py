"""Problem JSON in the caller's language, never a 500 for bad input."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from ratsraum_common.app import create_app
from ratsraum_common.i18n import Msg, negotiate_language
from ratsraum_common.problems import Problem


@pytest.mark.parametrize(
    ("header", "lang"),
    [(None, "de"), ("en", "en"), ("en-GB,en;q=0.9", "en"), ("fr, en;q=0.5", "en"),
     ("de-DE,en;q=0.8", "de"), ("fr", "de"), ("en;q=0, de;q=0.1", "de"), ("x;q=abc", "de")],
)
def test_language_negotiation(header: str | None, lang: str) -> None:
    assert negotiate_language(header) == lang


class Ballot(BaseModel):
    choice: str


def build() -> FastAPI:
    app, _metrics, _ready = create_app(service="demo", title="demo")

    @app.post("/api/v1/ballots")
    async def cast(ballot: Ballot) -> dict[str, str]:
        if ballot.choice == "maybe":
            raise Problem(422, "invalid-choice",
                          Msg("Option {choice} gibt es nicht.", "No option {choice}."),
                          choice=ballot.choice)
        if ballot.choice == "crash":
            raise RuntimeError("boom")
        return {"ok": ballot.choice}

    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=build(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_domain_problem_is_german_by_default(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/ballots", json={"choice": "maybe"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["detail"] == "Option maybe gibt es nicht."
    assert body["type"].endswith("/invalid-choice")
    assert body["status"] == 422


async def test_domain_problem_in_english_on_request(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/ballots", json={"choice": "maybe"},
                          headers={"Accept-Language": "en"})
    assert r.json()["detail"] == "No option maybe."


async def test_malformed_json_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/ballots", content=b"{nope",
                          headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


async def test_missing_field_names_the_field(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/ballots", json={})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["choice"]


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["title"] == "Nicht gefunden"
    r = await client.get("/api/v1/ballots")
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"


async def test_crash_is_a_problem_without_internals(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/ballots", json={"choice": "crash"})
    assert r.status_code == 500
    assert "boom" not in r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_metrics_are_labelled_by_route_template(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/ballots", json={"choice": "yes"})
    await client.get("/api/v1/unknown/123")
    text = (await client.get("/metrics")).text
    assert 'demo_http_requests_total{method="POST",route="/api/v1/ballots",status="200"}' in text
    assert "/api/v1/unknown/123" not in text
    assert (await client.get("/healthz")).json() == {"status": "ok"}
