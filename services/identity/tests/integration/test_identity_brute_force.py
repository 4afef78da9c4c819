"""Guessing passwords: real client addresses behind the ingress, no lock-out from outside,
and every sign-in, failure and sign-out on the audit record."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from identity_testkit import ISSUER, Flow, PersonFactory, code_from, exchange, open_form, submit
from sqlalchemy import select

from ratsraum_identity.accounts.models import AuditEvent
from ratsraum_identity.config import Settings
from ratsraum_identity.main import build_app


async def _attempt(client: httpx.AsyncClient, username: str, password: str,
                   address: str) -> httpx.Response:
    form = await open_form(client, Flow())
    data = {**form.fields, "username": username, "password": password}
    assert form.action
    return await client.post(form.action, data=data, headers={"X-Forwarded-For": address})


async def test_an_attacker_cannot_lock_the_chair_out(
    make_settings: Callable[..., Settings], person: PersonFactory
) -> None:
    chair = await person({"soest": ["chair"]})
    # The in-process client connects from 127.0.0.1, which plays the ingress here.
    app = build_app(make_settings(login_max_failures=3, trusted_proxies=["127.0.0.1/32"]))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ISSUER
    ) as client:
        for _ in range(3):
            failed = await _attempt(client, chair.username, "falsch", "203.0.113.66")
            assert failed.status_code == 401
        blocked = await _attempt(client, chair.username, chair.password, "203.0.113.66")
        assert blocked.status_code == 429
        # The chair, from the town hall's address, signs in as usual.
        welcome = await _attempt(client, chair.username, chair.password, "198.51.100.9")
        assert welcome.status_code == 302
        async with app.state.identity.db.system_session() as session:
            rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
        assert [(r.event, r.client) for r in rows] == [
            ("login.failed", "203.0.113.66")] * 3 + [
            ("login.rate_limited", "203.0.113.66"), ("login.succeeded", "198.51.100.9")]
        assert {r.actor for r in rows} == {chair.subject}
        assert rows[-1].tenant_id == "soest"
        assert all(r.at is not None for r in rows)


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    make_settings: Callable[..., Settings], person: PersonFactory
) -> None:
    chair = await person({"soest": ["chair"]})
    app = build_app(make_settings(login_max_failures=2))  # no trusted proxies
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ISSUER
    ) as client:
        for n in range(2):  # a guesser pretending to come from ever new addresses
            await _attempt(client, chair.username, "falsch", f"203.0.113.{n}")
        refused = await _attempt(client, chair.username, chair.password, "203.0.113.99")
        assert refused.status_code == 429


async def test_sign_out_is_on_the_audit_record(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory
) -> None:
    anna = await person({"soest": ["member"]})
    flow = Flow()
    form = await open_form(client, flow)
    answer = await submit(client, form, username=anna.username, password=anna.password)
    tokens = (await exchange(client, code_from(answer, flow), flow.verifier)).json()
    await client.post("/revoke", data={"token": tokens["refresh_token"],
                                       "client_id": "ratsraum-web"})
    await client.get("/logout", params={"id_token_hint": tokens["id_token"]})
    async with app.state.identity.db.system_session() as session:
        rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [(r.event, r.tenant_id, r.actor) for r in rows] == [
        ("login.succeeded", "soest", anna.subject),
        ("token.revoked", "soest", anna.subject),
        ("logout", "soest", anna.subject),
    ]


async def test_an_old_hash_is_rehashed_at_owasp_cost_on_sign_in(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory
) -> None:
    from argon2 import PasswordHasher, extract_parameters

    from ratsraum_identity.accounts.models import User

    anna = await person({"soest": ["member"]})
    async with app.state.identity.db.transaction(None) as session:
        user = await session.get(User, anna.subject)
        assert user is not None
        user.password_hash = PasswordHasher().hash(anna.password)  # the former default cost
    form = await open_form(client, Flow())
    answer = await submit(client, form, username=anna.username, password=anna.password)
    assert answer.status_code == 302
    async with app.state.identity.db.system_session() as session:
        stored = (await session.get(User, anna.subject)).password_hash  # type: ignore[union-attr]
    params = extract_parameters(stored)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
