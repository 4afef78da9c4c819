"""The question form's time stamp, signed so a robot cannot send a made-up "shown at" time.

The stamp is "<unix seconds>.<HMAC-SHA256 hex>" over a fixed purpose label and the seconds,
keyed with the portal's form key (PORTAL_FORM_SECRET); the standard library's hmac does the
cryptography and compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

_PURPOSE = b"ratsraum-portal/question-form/v1:"


def _mac(key: bytes, seconds: int) -> str:
    return hmac.new(key, _PURPOSE + str(seconds).encode("ascii"), hashlib.sha256).hexdigest()


def sign_shown_at(*, key: bytes, now: float) -> str:
    """A stamp saying the form was shown at `now` (whole seconds)."""
    seconds = int(now)
    return f"{seconds}.{_mac(key, seconds)}"


def shown_at(*, key: bytes, stamp: str) -> int | None:
    """The seconds a genuine stamp carries; None for a missing, malformed or forged one."""
    seconds_text, dot, mac = stamp.partition(".")
    well_formed = seconds_text.isascii() and seconds_text.isdigit() and len(seconds_text) <= 12
    if not dot or not well_formed:
        return None
    seconds = int(seconds_text)
    if not hmac.compare_digest(mac.encode("ascii", "replace"), _mac(key, seconds).encode("ascii")):
        return None
    return seconds
