"""The question form's signed time stamp: only the portal's own key makes a valid one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ratsraum_portal.config import Settings
from ratsraum_portal.questions.stamp import shown_at, sign_shown_at

KEY = b"0123456789abcdef0123456789abcdef"


def test_a_stamp_carries_its_time_under_the_same_key_only() -> None:
    stamp = sign_shown_at(key=KEY, now=1_765_000_000.9)
    assert shown_at(key=KEY, stamp=stamp) == 1_765_000_000
    assert shown_at(key=KEY[::-1], stamp=stamp) is None


def test_changed_or_malformed_stamps_are_refused() -> None:
    seconds, _, mac = sign_shown_at(key=KEY, now=1_765_000_000).partition(".")
    for bad in (f"{int(seconds) - 100}.{mac}", f"{seconds}.{mac.upper()}", f"{seconds}.",
                seconds, "", ".", f"-1.{mac}", f"{seconds}.{mac}x", "١٢٣.abc", f" {seconds}.{mac}"):
        assert shown_at(key=KEY, stamp=bad) is None, bad


def test_production_needs_a_form_key_from_the_environment_or_a_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="PORTAL_FORM_SECRET"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="too short"):
        Settings(environment="production", form_secret="kurz")
    secret_file = tmp_path / "form-secret"
    secret_file.write_text("aus-dem-secret-gemountet-0123456789\n", encoding="utf-8")
    from_file = Settings(environment="production", form_secret_file=secret_file)
    assert from_file.form_key() == b"aus-dem-secret-gemountet-0123456789"
    assert Settings().form_key() == b""  # development: the process draws its own
