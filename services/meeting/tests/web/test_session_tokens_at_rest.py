"""Refresh tokens are sealed at rest in web_sessions: a database reader cannot use them, and
a session sealed with a key meeting no longer holds counts as signed out (never a 500)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from signin_kit import IDENTITY, WebStack

from ratsraum_common import demo
from ratsraum_common.secret_box import SecretBox
from ratsraum_meeting.config import Settings
from ratsraum_meeting.signin.models import WebSession

ME = "/api/v1/me"


async def _stored(web: WebStack) -> str:
    async with web.meeting.state.db.system_session() as session:
        row = (await session.execute(WebSession.__table__.select())).one()
    return str(row.refresh_token)


async def test_the_stored_refresh_token_is_sealed_and_still_works(web: WebStack) -> None:
    browser = web.browser()
    await browser.sign_in("becker", web.passwords["becker"])
    stored = await _stored(web)
    plain = web.meeting.state.signin.box.open(stored)
    assert plain
    assert plain not in stored
    assert stored.startswith("f1:")
    # It is the token identity issued: identity accepts it (and rotates it).
    used = await browser.identity.post(f"{IDENTITY}/token", data={
        "grant_type": "refresh_token", "refresh_token": plain,
        "client_id": demo.WEB_CLIENT_ID})
    assert used.status_code == 200, used.text


async def test_a_session_sealed_with_another_key_is_signed_out(web: WebStack) -> None:
    browser = web.browser()
    await browser.sign_in("becker", web.passwords["becker"])
    assert (await browser.meeting.get(ME)).status_code == 200
    old_box = web.meeting.state.signin.box
    # meeting restarted with a new key only: the sealed token cannot be opened any more.
    web.meeting.state.signin.box = SecretBox([Fernet.generate_key().decode()])
    assert (await browser.meeting.get(ME)).status_code == 401
    page = await browser.meeting.get("/sitzungen", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"].startswith("/auth/login")
    async with web.meeting.state.db.system_session() as session:
        assert (await session.execute(WebSession.__table__.select())).all() == []
    # A rotated-in key keeps the old one readable: new key first, old key after it.
    again = web.browser()
    web.meeting.state.signin.box = old_box
    await again.sign_in("becker", web.passwords["becker"])
    web.meeting.state.signin.box = SecretBox([Fernet.generate_key().decode(),
                                              *_keys_of(web)])
    assert (await again.meeting.get(ME)).status_code == 200


def _keys_of(web: WebStack) -> list[str]:
    data_dir: Path = web.meeting.state.settings.data_dir
    return [(data_dir / "web-session.key").read_text(encoding="ascii").strip()]


def test_production_needs_a_session_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="MEETING_WEB_SESSION_KEYS"):
        Settings(environment="production", data_dir=tmp_path)
    key = Fernet.generate_key().decode()
    assert Settings(environment="production", data_dir=tmp_path,
                    web_session_keys=[key]).web_session_key_list() == [key]
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"{key}\n\n", encoding="ascii")
    assert Settings(environment="production", data_dir=tmp_path,
                    web_session_keys_file=keys_file).web_session_key_list() == [key]
    rotated = Fernet.generate_key().decode()
    monkeypatch.setenv("MEETING_WEB_SESSION_KEYS", f"{rotated}, {key}")
    assert Settings(environment="production",
                    data_dir=tmp_path).web_session_key_list() == [rotated, key]
