"""Town selection, signing keys and their rotation, expiry, and the demo seed."""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from identity_testkit import (
    ISSUER,
    REDIRECT_URI,
    Flow,
    PersonFactory,
    code_from,
    exchange,
    login_code,
    open_form,
    submit,
    verifier_for,
)
from joserfc.jwk import RSAKey

from ratsraum_common import demo
from ratsraum_common.auth import InvalidToken
from ratsraum_devstack.oidc_login import login
from ratsraum_identity.config import Settings
from ratsraum_identity.main import build_app


async def test_user_without_role_in_the_requested_town_gets_no_code(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    await person({"werl": ["member"]})  # creates the town Werl
    anna = await person({"soest": ["member"]})
    form = await open_form(client, Flow(), tenant="werl")
    answer = await submit(client, form, username=anna.username, password=anna.password)
    assert answer.status_code == 403
    assert "location" not in answer.headers
    assert "keinen Zugang" in answer.text
    nowhere = await person()
    form = await open_form(client, Flow())
    answer = await submit(client, form, username=nowhere.username, password=nowhere.password)
    assert answer.status_code == 403
    assert "location" not in answer.headers


async def test_login_page_names_the_town(client: httpx.AsyncClient, person: PersonFactory) -> None:
    await person({"soest": ["member"]})
    page = await client.get("/authorize", params=Flow().params(tenant="soest"))
    assert 'lang="de"' in page.text
    assert "Stadt Soest" in page.text
    assert 'for="username">Benutzername' in page.text  # the field's label, in German
    assert 'for="password">Passwort' in page.text


async def test_person_in_several_towns_chooses_one(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    both = await person({"soest": ["member"], "werl": ["chair"]})
    flow = Flow()
    form = await open_form(client, flow)
    choice = await submit(client, form, username=both.username, password=both.password)
    assert choice.status_code == 200
    assert "location" not in choice.headers
    assert "Kommune" in choice.text
    from identity_testkit import LoginForm

    second = LoginForm(choice.text)
    assert sorted(second.selects["tenant"]) == ["soest", "werl"]
    assert second.fields["username"] == both.username
    code = code_from(await submit(client, second, username=both.username,
                                  password=both.password, tenant="werl"), flow)
    principal = await verifier_for(client).verify(
        (await exchange(client, code, flow.verifier)).json()["access_token"])
    assert principal.tenant == "werl"
    assert principal.roles == {"chair"}


async def test_expired_access_token_is_refused_by_the_shared_verifier(
    make_settings: Callable[..., Settings], person: PersonFactory, client: httpx.AsyncClient,
) -> None:
    # Long enough that sign-in and exchange on a busy machine finish well inside it; the test
    # then waits for the token's own expiry rather than a fixed time.
    app = build_app(make_settings(access_token_lifetime_seconds=5))
    anna = await person({"soest": ["member"]})
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ISSUER
    ) as short:
        flow = Flow()
        code = await login_code(short, flow, username=anna.username, password=anna.password)
        access = (await exchange(short, code, flow.verifier)).json()["access_token"]
        verifier = verifier_for(short, leeway_seconds=0)
        assert (await verifier.verify(access)).subject == anna.subject
        expires = (await verifier.verify(access)).claims["exp"]
        await asyncio.sleep(max(0.0, expires - time.time()) + 1.1)
        with pytest.raises(InvalidToken):
            await verifier.verify(access)


async def test_keys_persist_across_restarts_and_a_new_key_rotates_in(
    make_settings: Callable[..., Settings], person: PersonFactory, app: FastAPI,
    client: httpx.AsyncClient,
) -> None:
    settings: Settings = app.state.identity.settings
    keys_dir = settings.signing_keys_dir
    first_kids = [k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]]
    assert len(first_kids) == 1
    (pem,) = keys_dir.glob("*.pem")
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert first_kids[0] == RSAKey.import_key(pem.read_bytes()).thumbprint()  # RFC 7638
    anna = await person({"soest": ["member"]})
    flow = Flow()
    code = await login_code(client, flow, username=anna.username, password=anna.password)
    old_token = (await exchange(client, code, flow.verifier)).json()["access_token"]

    restarted = build_app(make_settings())
    async with restarted.router.lifespan_context(restarted), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=restarted), base_url=ISSUER
    ) as again:
        kids = [k["kid"] for k in (await again.get("/.well-known/jwks.json")).json()["keys"]]
        assert kids == first_kids
        new_kid = restarted.state.identity.keystore.generate()  # an operator drops a key in
        kids = [k["kid"] for k in (await again.get("/.well-known/jwks.json")).json()["keys"]]
        assert set(kids) == {first_kids[0], new_kid}
        verifier = verifier_for(again)
        assert (await verifier.verify(old_token)).subject == anna.subject
        flow = Flow()
        code = await login_code(again, flow, username=anna.username, password=anna.password)
        new_token = (await exchange(again, code, flow.verifier)).json()["access_token"]
        assert (await verifier.verify(new_token)).claims["jti"]
        from joserfc import jws

        assert jws.extract_compact(new_token.encode()).headers()["kid"] == new_kid


async def test_demo_seed_is_idempotent_and_its_logins_work(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(seed_demo=True)
    for _ in range(2):  # a second start must neither fail nor duplicate
        app = build_app(settings)
        async with app.router.lifespan_context(app):
            pass
    passwords = demo.ensure_credentials(settings.data_dir)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ISSUER
    ) as client:
        from sqlalchemy import func, select

        from ratsraum_identity.accounts.models import TenantRole, User
        from ratsraum_identity.members.models import BodyRole

        town_wide = [r for p in demo.PEOPLE for r in p.roles if r in demo.SEEDED_TOWN_ROLES]
        async with app.state.identity.db.system_session() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == len(
                demo.PEOPLE)
            assert await session.scalar(select(func.count()).select_from(TenantRole)) == len(
                town_wide)
            assert await session.scalar(select(func.count()).select_from(BodyRole)) == sum(
                len(p.roles) for p in demo.PEOPLE) - len(town_wide)
        chair = next(p for p in demo.PEOPLE if "chair" in p.roles)
        # The integrator's login client (used by the e2e tests) must work against us.
        tokens = await login(client, issuer=ISSUER, client_id=demo.WEB_CLIENT_ID,
                             redirect_uri=REDIRECT_URI, username=chair.username,
                             password=passwords[chair.username], tenant=demo.TENANT)
        principal = await verifier_for(client).verify(tokens.access_token)
        assert principal.subject == demo.subject_for(demo.TENANT, chair.username)
        assert principal.roles == {"member", "chair"}
        # The demo chair chairs the demo committee, not every body of the town.
        body = demo.body_id_for(demo.TENANT, demo.BODY_SHORT)
        assert principal.body_roles == {(body, "member"), (body, "chair")}
        assert principal.town_roles == frozenset()
        assert principal.name == chair.name
