"""Test helpers for the operator and town-admin APIs: a real SMTP server, an operator with
an authenticator app, tokens, and following a mailed link."""

from __future__ import annotations

import email
import re
import socket
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
from identity_testkit import Flow, code_from, exchange, open_form, submit, verifier_for

from ratsraum_identity.accounts.second_factor import enrol_totp, new_secret
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.operators.service import create_operator


class Inbox:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to this address."""
        return [m for m in self.received if address in str(m["To"])]


def free_port() -> int:
    """A free local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def link_token(message: EmailMessage) -> str:
    """The token of the single link in a mail."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    links = re.findall(r"https?://\S+/account/link\?token=\S+", body.get_content())
    assert len(set(links)) == 1, links
    return parse_qs(urlsplit(links[0]).query)["token"][0]


@dataclass
class Operator:
    """An operator account with its authenticator app."""

    username: str
    password: str
    app: pyotp.TOTP
    id: str
    used: set[str] = field(default_factory=set)

    def code(self) -> str:
        """A code the app shows (never one already used: each works once)."""
        import time
        for offset in (0, 30, -30):
            code = self.app.at(time.time() + offset)
            if code not in self.used:
                self.used.add(code)
                return code
        raise AssertionError("no fresh code")


async def make_operator(ident: Identity) -> Operator:
    """A new operator in the database (as `ratsraum-admin bootstrap-operator` makes one)."""
    username, password = f"op-{uuid.uuid4().hex[:6]}", "betrieb-" + uuid.uuid4().hex
    account, secret = await create_operator(ident.db, username=username, name="Betrieb",
                                            password=password, passwords=ident.passwords,
                                            box=ident.secrets)
    return Operator(username, password, pyotp.TOTP(secret), account.id)


async def operator_headers(client: httpx.AsyncClient, op: Operator) -> dict[str, str]:
    """Bearer header of a fresh operator token."""
    answer = await client.post("/api/v1/admin-tokens", json={
        "username": op.username, "password": op.password, "otp": op.code()})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def give_app(ident: Identity, user_id: str) -> pyotp.TOTP:
    """Set up an authenticator app for an account (as the sign-in page does)."""
    secret = new_secret()
    await enrol_totp(ident.db, user_id=user_id, secret=secret, step=0, box=ident.secrets)
    return pyotp.TOTP(secret)


async def town_headers(client: httpx.AsyncClient, *, tenant: str, username: str,
                       password: str, app: pyotp.TOTP | None) -> dict[str, str]:
    """Bearer header of a fresh town-admin token."""
    answer = await client.post("/api/v1/admin-tokens", json={
        "username": username, "password": password, "tenant": tenant,
        "otp": app.now() if app else ""})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def accept(client: httpx.AsyncClient, token: str, password: str | None) -> httpx.Response:
    """Use a mailed link through its page like a browser (form, CSRF cookie, submit)."""
    page = await client.get("/account/link", params={"token": token})
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    data = {"csrf_token": csrf[1], "token": token}
    if password is not None:
        data.update(password=password, password2=password)
    return await client.post("/account/link", data=data)


async def sign_in(client: httpx.AsyncClient, *, username: str, password: str,
                  tenant: str | None = None) -> dict[str, Any]:
    """The code flow with PKCE; the token response."""
    flow = Flow()
    form = await open_form(client, flow, **({"tenant": tenant} if tenant else {}))
    answer = await submit(client, form, username=username, password=password)
    tokens: dict[str, Any] = (await exchange(client, code_from(answer, flow),
                                             flow.verifier)).json()
    return tokens


async def claims_of(client: httpx.AsyncClient, access_token: str) -> dict[str, Any]:
    """The verified claims, as every other service sees them."""
    return (await verifier_for(client).verify(access_token)).claims


def is_problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status; its body."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["detail"]
    return body
