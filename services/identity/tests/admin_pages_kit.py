"""Test helpers for the admin pages: sign in through the form and post forms like a browser."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pyotp

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of the first form on the page."""
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found[1]


async def page_sign_in(client: httpx.AsyncClient, kind: str, *, username: str, password: str,
                       tenant: str = "", otp: str = "") -> httpx.Response:
    """Fill in and send the sign-in form of /admin or /operator."""
    root = "/admin" if kind == "town" else "/operator"
    form = await client.get(f"{root}/sign-in", params={"tenant": tenant} if tenant else None)
    assert form.status_code == 200, form.text
    data = {"csrf_token": csrf_of(form), "username": username, "password": password,
            "otp": otp}
    if kind == "town":
        data["tenant"] = tenant
    return await client.post(f"{root}/sign-in", data=data)


async def town_admin_session(client: httpx.AsyncClient, *, tenant: str, username: str,
                             password: str, app: pyotp.TOTP | None) -> None:
    """Sign in to the town admin pages (the client keeps the session cookie)."""
    answer = await page_sign_in(client, "town", username=username, password=password,
                                tenant=tenant, otp=app.now() if app else "")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/admin/accounts"


async def post_form(client: httpx.AsyncClient, page: str, action: str,
                    data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
    """Open a page, then post one of its forms with the page's CSRF token."""
    opened = await client.get(page)
    assert opened.status_code == 200, opened.text
    return await client.post(action, data={"csrf_token": csrf_of(opened), **(data or {})},
                             **kwargs)
