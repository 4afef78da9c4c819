"""/readyz: a degrading dependency keeps the pod in the load balancer and says which is down."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ratsraum_common.health import Readiness, install_health


async def _ok() -> None:
    return None


async def _down() -> None:
    raise ConnectionError("NATS not connected")


async def _readyz(readiness: Readiness) -> httpx.Response:
    app = FastAPI()
    install_health(app, readiness)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://svc") as client:
        return await client.get("/readyz")


async def test_a_degrading_check_answers_200_degraded_and_names_it() -> None:
    readiness = Readiness()
    readiness.add("database", _ok)
    readiness.add("nats", _down, degrades=True)
    response = await _readyz(readiness)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["down"] == ["nats"]
    assert body["checks"]["nats"] == "ConnectionError: NATS not connected"


async def test_a_required_check_still_takes_the_pod_out() -> None:
    readiness = Readiness()
    readiness.add("database", _down)
    readiness.add("nats", _down, degrades=True)
    response = await _readyz(readiness)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["down"] == ["database", "nats"]


async def test_all_up_is_ok() -> None:
    readiness = Readiness()
    readiness.add("nats", _ok, degrades=True)
    response = await _readyz(readiness)
    assert (response.status_code, response.json()["status"]) == (200, "ok")
