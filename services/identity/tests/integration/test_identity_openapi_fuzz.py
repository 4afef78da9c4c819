"""Generated requests against identity's OpenAPI as every role: never a 5xx.

The tokens are real: each role logs in through the authorization-code flow first.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from admin_testkit import make_operator, operator_headers
from fastapi import FastAPI
from identity_testkit import Flow, PersonFactory, exchange, login_code

from ratsraum_devstack.fuzz import examples_per_operation, fuzz, serve
from ratsraum_identity.accounts.service import ensure_tenant

ROLES = ("member", "chair", "clerk", "admin")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_generated_request_gets_a_server_error(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory
) -> None:
    # Fuzzing exercises the API, not the second factor: this town asks none of its staff for
    # one (the sign-in with a second factor has its own tests).
    async with app.state.identity.db.transaction(None) as session:
        await ensure_tenant(session, tenant_id="soest", name="Stadt Soest",
                            staff_mfa_required=False)
    roles: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES:
        who = await person({"soest": [role]})
        flow = Flow()
        code = await login_code(client, flow, username=who.username, password=who.password,
                                tenant="soest")
        token = (await exchange(client, code, flow.verifier)).json()["access_token"]
        roles[role] = {"Authorization": f"Bearer {token}"}
    roles["operator"] = await operator_headers(
        client, await make_operator(app.state.identity))
    openapi = (await client.get("/api/v1/openapi.json")).json()
    async with serve(app) as base_url:
        report = await asyncio.to_thread(fuzz, openapi=openapi, base_url=base_url, roles=roles,
                                         examples=examples_per_operation())
    print("identity:", report.summary())
    assert report.operations >= 3
    assert report.failures == [], "\n".join(report.failures[:20])
