"""The audit record as town admins and operators read it, and the town's rule for members'
second factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from admin_testkit import give_app, is_problem, make_operator, operator_headers, town_headers
from fastapi import FastAPI
from identity_testkit import Flow, open_form, submit

from ratsraum_identity.api.deps import Identity


async def _admin(ident: Identity, client: httpx.AsyncClient, person: Any,
                 tenant: str) -> tuple[dict[str, str], Any]:
    admin = await person({tenant: ["admin"]})
    app = await give_app(ident, admin.subject)
    return await town_headers(client, tenant=tenant, username=admin.username,
                              password=admin.password, app=app), admin


async def test_each_town_reads_only_its_own_audit_events(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    soest, soest_admin = await _admin(ident, mail_client, person, "soest")
    werl, werl_admin = await _admin(ident, mail_client, person, "werl")
    member = await person({"werl": ["member"]})
    started = datetime.now(UTC) - timedelta(seconds=5)
    await mail_client.post(f"/api/v1/town/accounts/{member.subject}/deactivate", headers=werl)
    soest_events = (await mail_client.get("/api/v1/town/audit", headers=soest)).json()
    werl_events = (await mail_client.get("/api/v1/town/audit", headers=werl)).json()
    assert {e["tenant"] for e in soest_events} == {"soest"}
    assert {e["tenant"] for e in werl_events} == {"werl"}
    [deactivated] = [e for e in werl_events if e["event"] == "account.deactivated"]
    assert deactivated["actor"] == werl_admin.subject
    assert deactivated["detail"]["account"] == member.subject
    assert datetime.fromisoformat(deactivated["at"]).replace(tzinfo=UTC) >= started
    assert soest_admin.subject in {e["actor"] for e in soest_events}
    # Paging: `before` continues below the oldest id seen.
    first = (await mail_client.get("/api/v1/town/audit", params={"limit": 1},
                                   headers=werl)).json()
    rest = (await mail_client.get("/api/v1/town/audit",
                                  params={"before": first[0]["id"]}, headers=werl)).json()
    assert [e["id"] for e in first + rest] == [e["id"] for e in werl_events]
    is_problem(await mail_client.get("/api/v1/town/audit", params={"limit": 0},
                                     headers=werl), 422)
    # The operator reads across towns, or one town.
    operator = await operator_headers(mail_client, await make_operator(ident))
    everything = (await mail_client.get("/api/v1/operator/audit", params={"limit": 500},
                                        headers=operator)).json()
    assert {"soest", "werl"} <= {e["tenant"] for e in everything}
    only = (await mail_client.get("/api/v1/operator/audit", params={"tenant": "soest"},
                                  headers=operator)).json()
    assert {e["tenant"] for e in only} == {"soest"}
    is_problem(await mail_client.get("/api/v1/operator/audit", headers=werl), 403)


async def test_the_town_decides_whether_members_need_a_second_factor(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    headers, _ = await _admin(ident, mail_client, person, "soest")
    member = await person({"soest": ["member"]})
    settings = (await mail_client.get("/api/v1/town/settings", headers=headers)).json()
    assert settings["member_mfa_required"] is False
    assert settings["staff_mfa_required"] is True
    changed = await mail_client.put("/api/v1/town/settings", headers=headers,
                                    json={"member_mfa_required": True})
    assert changed.json()["member_mfa_required"] is True
    flow = Flow()
    answer = await submit(mail_client, await open_form(mail_client, flow),
                          username=member.username, password=member.password)
    assert answer.status_code == 200  # no code yet: the set-up page of the app
    assert "Authenticator-App einrichten" in answer.text
    is_problem(await mail_client.put("/api/v1/town/settings", headers=headers,
                                     json={"member_mfa_required": "vielleicht"}), 422)
