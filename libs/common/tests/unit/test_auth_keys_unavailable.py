"""When identity's keys cannot be fetched, callers learn the service is unavailable (503)."""

from __future__ import annotations

import socket

import httpx
from fastapi import FastAPI

from ratsraum_common.app import create_app
from ratsraum_common.auth import CurrentPrincipal, TokenVerifier


def _closed_port() -> int:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _app(jwks_url: str) -> FastAPI:
    app, _metrics, _ready = create_app(service="auth-test", title="auth test")
    app.state.token_verifier = TokenVerifier(issuer="https://id.test", audience="x",
                                             jwks_url=jwks_url)

    @app.get("/api/v1/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    return app


async def test_an_unreachable_jwks_answers_503_problem() -> None:
    app = _app(f"http://127.0.0.1:{_closed_port()}/jwks")
    # As a real server would: a crash is answered (500), not raised into the client.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
        response = await client.get("/api/v1/whoami",
                                    headers={"Authorization": "Bearer a.b.c"})
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/auth-keys-unavailable")
    assert "Retry-After" in response.headers
