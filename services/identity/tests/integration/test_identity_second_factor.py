"""Second factor: an authenticator app (real pyotp on the app's side) and recovery codes."""

from __future__ import annotations

import html
import re
import time

import httpx
import pyotp
from fastapi import FastAPI
from identity_testkit import (
    CLIENT_ID,
    ISSUER,
    REDIRECT_URI,
    Flow,
    LoginForm,
    Person,
    PersonFactory,
    code_from,
    exchange,
    open_form,
    submit,
    verifier_for,
)
from sqlalchemy import select, update

from ratsraum_devstack.oidc_login import login
from ratsraum_identity.accounts.models import Tenant, TotpCredential
from ratsraum_identity.web.pages import CSRF_COOKIE


def _app_from(page: httpx.Response) -> pyotp.TOTP:
    """What an authenticator app makes of the otpauth URI shown on the set-up page."""
    uri = html.unescape(re.search(r'<p class="uri">([^<]+)</p>', page.text)[1])  # type: ignore[index]
    app = pyotp.parse_uri(uri)
    assert isinstance(app, pyotp.TOTP)
    assert app.secret.replace(" ", "") in page.text.replace(" ", "")  # secret shown as text
    return app


async def _post(client: httpx.AsyncClient, page: httpx.Response, **fields: str) -> httpx.Response:
    form = LoginForm(page.text)
    assert form.action
    return await client.post(form.action, data={**form.fields, **fields})


async def _password(client: httpx.AsyncClient, flow: Flow, who: Person,
                    **extra: str) -> httpx.Response:
    form = await open_form(client, flow)
    return await submit(client, form, username=who.username, password=who.password, **extra)


async def _amr(client: httpx.AsyncClient, answer: httpx.Response, flow: Flow) -> list[str]:
    tokens = (await exchange(client, code_from(answer, flow), flow.verifier)).json()
    principal = await verifier_for(client).verify(tokens["access_token"])
    amr: list[str] = principal.claims["amr"]
    return amr


async def _enrolled(client: httpx.AsyncClient, who: Person) -> tuple[pyotp.TOTP, list[str]]:
    """Sign in once, setting up the app on the way; the app and the recovery codes."""
    flow = Flow()
    setup = await _password(client, flow, who)
    assert setup.status_code == 200
    app = _app_from(setup)
    codes_page = await _post(client, setup, otp=app.now())
    assert codes_page.status_code == 200, codes_page.text
    codes = re.findall(r"<li>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</li>",
                       codes_page.text)
    finished = await _post(client, codes_page)
    assert await _amr(client, finished, flow) == ["pwd", "otp", "mfa"]
    return app, codes


async def test_a_clerk_must_set_up_an_app_and_then_signs_in_with_its_codes(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    clerk = await person({"soest": ["clerk"]})
    flow = Flow()
    setup = await _password(client, flow, clerk)
    assert setup.status_code == 200
    assert "location" not in setup.headers  # no code before the second factor
    assert "vorgeschrieben" in setup.text
    assert "<svg" in setup.text  # QR code inline
    app = _app_from(setup)
    wrong = await _post(client, setup, otp="000000" if app.now() != "000000" else "111111")
    assert wrong.status_code == 400
    assert 'id="error-summary-title"' in wrong.text
    assert 'role="alert"' in wrong.text
    assert 'href="#otp"' in wrong.text
    codes_page = await _post(client, wrong, otp=app.now())
    assert codes_page.status_code == 200
    assert codes_page.text.count("<li>") == 10
    assert await _amr(client, await _post(client, codes_page), flow) == ["pwd", "otp", "mfa"]

    # Next sign-in: the password alone is not enough; the app's next code is.
    flow = Flow()
    ask = await _password(client, flow, clerk)
    assert ask.status_code == 200
    assert "Authenticator-App ein" in ask.text
    next_code = app.at(time.time() + 30)
    assert await _amr(client, await _post(client, ask, otp=next_code), flow) == [
        "pwd", "otp", "mfa"]
    # The same code cannot be used a second time.
    again = await _password(client, Flow(), clerk)
    replay = await _post(client, again, otp=next_code)
    assert replay.status_code == 401
    assert "location" not in replay.headers


async def test_the_apps_secret_is_stored_encrypted(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory
) -> None:
    clerk = await person({"soest": ["clerk"]})
    authenticator, _codes = await _enrolled(client, clerk)
    async with app.state.identity.db.system_session() as session:
        stored = await session.scalar(select(TotpCredential.secret))
    assert stored
    assert authenticator.secret not in stored
    assert app.state.identity.secrets.open(stored) == authenticator.secret


async def test_a_recovery_code_works_exactly_once(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    clerk = await person({"soest": ["clerk"]})
    _app, codes = await _enrolled(client, clerk)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    flow = Flow()
    ask = await _password(client, flow, clerk)
    assert await _amr(client, await _post(client, ask, otp=codes[0].upper()), flow) == [
        "pwd", "otp", "mfa"]
    ask = await _password(client, Flow(), clerk)
    assert (await _post(client, ask, otp=codes[0])).status_code == 401


async def test_members_choose_unless_their_town_requires_a_second_factor(
    app: FastAPI, client: httpx.AsyncClient, person: PersonFactory
) -> None:
    member = await person({"soest": ["member"]})
    flow = Flow()
    assert await _amr(client, await _password(client, flow, member), flow) == ["pwd"]
    chooses = await _password(client, Flow(), member, enrol_mfa="1")
    assert chooses.status_code == 200
    assert "Authenticator-App einrichten" in chooses.text
    assert "vorgeschrieben" not in chooses.text
    async with app.state.identity.db.transaction(None) as session:
        await session.execute(update(Tenant).values(member_mfa_required=True))
    required = await _password(client, Flow(), member)
    assert "vorgeschrieben" in required.text
    assert "location" not in required.headers


async def test_the_code_step_belongs_to_the_browser_that_entered_the_password(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    clerk = await person({"soest": ["clerk"]})
    app, _codes = await _enrolled(client, clerk)
    ask = await _password(client, Flow(), clerk)
    form = LoginForm(ask.text)
    # Another browser: its own login-form cookie, the first browser's note and form fields.
    other_cookie = "x" * 43
    client.cookies.set(CSRF_COOKIE, other_cookie)
    assert form.action
    stolen = await client.post(form.action, data={
        **form.fields, "csrf_token": other_cookie, "otp": app.at(time.time() + 30)})
    assert stolen.status_code == 400
    assert "location" not in stolen.headers
    assert "abgelaufen" in stolen.text


async def test_wrong_codes_are_limited(client: httpx.AsyncClient, person: PersonFactory) -> None:
    clerk = await person({"soest": ["clerk"]})
    app, _codes = await _enrolled(client, clerk)
    ask = await _password(client, Flow(), clerk)
    for _ in range(5):
        ask = await _post(client, ask, otp="12345x")
        assert ask.status_code == 401
    blocked = await _post(client, ask, otp=app.at(time.time() + 30))
    assert blocked.status_code == 429
    assert "location" not in blocked.headers


async def test_the_integrators_login_helper_answers_the_code_step(
    client: httpx.AsyncClient, person: PersonFactory
) -> None:
    clerk = await person({"soest": ["clerk"]})
    app, _codes = await _enrolled(client, clerk)
    tokens = await login(client, issuer=ISSUER, client_id=CLIENT_ID, redirect_uri=REDIRECT_URI,
                         username=clerk.username, password=clerk.password,
                         one_time_code=lambda: app.at(time.time() + 30))
    principal = await verifier_for(client).verify(tokens.access_token)
    assert principal.claims["amr"] == ["pwd", "otp", "mfa"]
