"""Calls to meeting's citizens' link API; answers become a status and a problem type."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote

import httpx


@dataclass(frozen=True, slots=True)
class Answer:
    """What meeting said: the HTTP status, the problem type's last part, and a join URL."""

    status: int
    problem: str = ""
    url: str = ""


def network_of(address: str) -> str:
    """The caller's network (IPv4 /24, IPv6 /64): the unit the portal limits requests by."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 64}", strict=False))


async def call(
    *, base_url: str, tenant: str, meeting_id: str, action: str, payload: dict[str, str],
    timeout: float, citizen_address: str = "",
) -> Answer:
    """POST one citizens' link call to meeting; 503 when meeting cannot be reached."""
    path = f"/api/v1/citizen-links/{quote(tenant)}/{quote(meeting_id)}"
    url = base_url.rstrip("/") + path + (f"/{action}" if action else "")
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            headers = {"X-Citizen-Address": citizen_address} if citizen_address else {}
            response = await client.post(url, json=payload, headers=headers)
    except httpx.HTTPError:
        return Answer(status=503, problem="meeting-unreachable")
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    problem = str(data.get("type", "")).rsplit("/", 1)[-1] if response.status_code >= 400 else ""
    return Answer(status=response.status_code, problem=problem, url=str(data.get("url", "")))
