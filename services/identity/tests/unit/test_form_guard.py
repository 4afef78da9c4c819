"""Identity's page forms count only when posted from identity's own origin."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from ratsraum_identity.web.form_guard import same_origin

ISSUER = "https://login.ratsraum.example"


def request_from(origin: str | None) -> Request:
    headers = [] if origin is None else [(b"origin", origin.encode())]
    return Request({"type": "http", "method": "POST", "path": "/admin", "headers": headers})


@pytest.mark.parametrize(("origin", "accepted"), [
    (None, True),                                      # same-origin navigations may omit it
    ("https://login.ratsraum.example", True),
    ("https://evil.example", False),
    ("http://login.ratsraum.example", False),          # another scheme is another origin
    ("https://login.ratsraum.example:8443", False),
    ("null", False),                                   # sandboxed frames and redirects
    ("", False),
])
def test_only_identitys_own_origin_counts(origin: str | None, accepted: bool) -> None:
    assert same_origin(request_from(origin), issuer=ISSUER) is accepted
