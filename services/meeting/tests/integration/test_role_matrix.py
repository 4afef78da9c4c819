"""Every meeting API route × every role × own and other town: who may do what.

The routes come from the running app, so a new endpoint fails this test until the table in
meeting_fixtures/role_matrix.py says who may call it. Allowed callers must get past the
role checks (no 401, 403 or 404; a 404 only where the table says the setup made no such
sub-resource); refused callers get 403, or 404 for ids their town does not hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from meeting_fixtures.role_matrix import ALL_ROLES, TABLE, Rule

from ratsraum_common import demo

BODY = demo.body_id_for(demo.TENANT, demo.BODY_SHORT)
MEETING = demo.MEETING_ID
ITEM = demo.AGENDA[2].id  # Ö 3, public and votable
BECKER = next(p for p in demo.PEOPLE if p.username == "becker")
OTHER_TOWN = "hamm"
# What a refusal may look like: 403, or 404 for an id the caller's town does not hold.
REFUSED = (403, 404)


def api_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path template) of every API route, through included routers."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for route in routes:
            if isinstance(route, APIRoute):
                path = prefix + route.path
                if path.startswith("/api/") and route.include_in_schema:
                    yield from ((m, path) for m in sorted(route.methods))
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes,
                                prefix + route.include_context.prefix)

    return walk(app.router.routes, "")


def headers(issuer: Any, role: str, *, tenant: str, other_body: str,
            deputy: str) -> dict[str, str]:
    """A token as identity issues it for one column of the matrix."""
    kinds: dict[str, tuple[str, list[str], str | None]] = {
        "member": (BECKER.subject, ["member"], BODY),
        "deputy": (deputy, ["deputy"], BODY),
        "chair": (demo.subject_for(tenant, "schulte"), ["member", "chair"], BODY),
        "clerk": (demo.subject_for(tenant, "richter"), ["clerk"], BODY),
        "other_chair": ("p-other-chair", ["member", "chair"], other_body),
        "other_clerk": ("p-other-clerk", ["clerk"], other_body),
        "admin": (demo.subject_for(tenant, "lange"), ["admin"], BODY),
        "operator": ("p-operator", ["operator"], BODY),
    }
    subject, roles, body = kinds[role]
    token = issuer.token(subject, roles, tenant=tenant, body=body)
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}


async def _setup(meeting: Any, issuer: Any) -> dict[str, str]:
    """The demo town with a second body, a deputy, an open meeting and an open poll."""
    client = meeting.client
    admin, clerk = issuer.person("lange"), issuer.person("richter")
    other = await client.post("/api/v1/admin/bodies", headers=admin, json={
        "name": "Bauausschuss", "short": "BA", "statutory_members": 9})
    assert other.status_code == 201, other.text
    deputy = await client.post("/api/v1/admin/persons", headers=admin, json={
        "name": "Vera Vertretung", "party": "SPD"})
    assert deputy.status_code == 201, deputy.text
    seat = await client.post("/api/v1/admin/memberships", headers=admin, json={
        "body_id": BODY, "person_id": deputy.json()["id"], "role": "deputy"})
    assert seat.status_code == 201, seat.text
    term = await client.post("/api/v1/admin/legislative-terms", headers=admin,
                             json={"name": "2025-2030"})
    await meeting.open_and_attend(clerk, present=8)
    poll = await client.post(f"/api/v1/meetings/{MEETING}/agenda-items/{ITEM}/polls",
                             headers=clerk, json={"method": "roll_call"})
    assert poll.status_code == 201, poll.text
    return {"meeting_id": MEETING, "item_id": ITEM, "poll_id": poll.json()["id"],
            "person_id": BECKER.subject, "body_id": BODY, "request_id": str(uuid.uuid4()),
            "question_id": str(uuid.uuid4()),
            "membership_id": str(seat.json()["id"]), "term_id": str(term.json()["id"]),
            "paper_id": str(uuid.uuid4()), "code": "ABCD", "provider": "jitsi",
            "link_id": str(uuid.uuid4()),
            "other_body": other.json()["id"], "deputy": deputy.json()["id"]}


def _problem(answer: Any) -> str:
    """The problem type's last part, e.g. "mail-not-configured" (no mail server here)."""
    try:
        return str(answer.json().get("type", "")).rsplit("/", 1)[-1]
    except ValueError:
        return ""


def _names_a_body(path: str) -> bool:
    """The path points into a body (meeting, poll, body): other towns get a 404 there."""
    return any(f"{{{key}}}" in path for key in ("meeting_id", "poll_id", "body_id"))


def _url(path: str, ids: dict[str, str]) -> str:
    return path.format(**{k: v for k, v in ids.items() if "{" + k + "}" in path})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_route_lets_exactly_the_listed_roles_through(meeting, issuer) -> None:
    routes = sorted(set(api_routes(meeting.app)))
    unlisted = [r for r in routes if r not in TABLE]
    assert not unlisted, f"place these routes in meeting_fixtures/role_matrix.py: {unlisted}"
    gone = [r for r in TABLE if r not in routes]
    assert not gone, f"routes in the table that the app no longer has: {gone}"
    ids = await _setup(meeting, issuer)
    wrong: list[str] = []
    for method, path in routes:
        rule: Rule = TABLE[(method, path)]
        if rule.public:
            continue
        for town in (demo.TENANT, OTHER_TOWN):
            for role in ALL_ROLES:
                allowed = town == demo.TENANT and role in rule.allowed
                if allowed and rule.stream:
                    continue  # an allowed caller gets the never-ending stream
                if town != demo.TENANT and "{" not in path:
                    continue  # without ids a caller acts in their own town
                call = headers(issuer, role, tenant=town, other_body=ids["other_body"],
                               deputy=ids["deputy"])
                body = None if method in ("GET", "DELETE") else rule.json
                answer = await meeting.client.request(method, _url(path, ids), headers=call,
                                                      json=body)
                status = answer.status_code
                seen = f"{method} {path} as {role} of {town}: {status} {answer.text[:160]}"
                if status >= 500 and _problem(answer) != "mail-not-configured":
                    wrong.append("server error: " + seen)
                elif allowed and (status in (401, 403) or (status == 404
                                                             and not rule.absent_ok)):
                    wrong.append("refused although allowed: " + seen)
                elif not allowed and status not in REFUSED:
                    wrong.append("let through although not allowed: " + seen)
                elif town != demo.TENANT and status != 404 and _names_a_body(path):
                    wrong.append("another town's id not answered 404: " + seen)
    assert not wrong, "\n".join(wrong)
