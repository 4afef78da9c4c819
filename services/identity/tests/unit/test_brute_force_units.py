"""Client addresses behind trusted proxies, a limiter that locks nobody out, who needs MFA."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from ratsraum_identity.accounts.ratelimit import Block, LoginLimiter
from ratsraum_identity.api.client_address import client_address, limiter_key, parse_networks

INGRESS = parse_networks(["10.0.0.0/8", "fd00::/8"])


def _request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "client": (peer, 40000), "headers": headers})


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    # No trusted proxies: the header is anyone's to write and is ignored.
    ("203.0.113.7", ["198.51.100.1"], (), "203.0.113.7"),
    # From the ingress: the last hop it appended is the client.
    ("10.1.2.3", ["198.51.100.9"], INGRESS, "198.51.100.9"),
    # A client forging a header: only what our proxies appended counts.
    ("10.1.2.3", ["1.2.3.4, 198.51.100.9"], INGRESS, "198.51.100.9"),
    # Two trusted hops (ingress behind a load balancer), header split over two lines.
    ("10.1.2.3", ["1.2.3.4, 198.51.100.9", "10.9.9.9"], INGRESS, "198.51.100.9"),
    # A peer outside the trusted networks cannot speak for anyone else.
    ("203.0.113.7", ["198.51.100.9"], INGRESS, "203.0.113.7"),
    # Garbage behind the proxy: the proxy itself is the best we know.
    ("10.1.2.3", ["not-an-address"], INGRESS, "10.1.2.3"),
    ("fd00::1", ["[2001:db8::5]:443"], INGRESS, "2001:db8::5"),
])
def test_client_address_believes_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded: list[str], trusted: tuple[object, ...], expected: str
) -> None:
    assert client_address(_request(peer, *forwarded), trusted) == expected  # type: ignore[arg-type]


def test_ipv6_clients_are_counted_per_64() -> None:
    assert limiter_key("2001:db8:1:2::5") == limiter_key("2001:db8:1:2:ffff::9")
    assert limiter_key("2001:db8:1:3::5") != limiter_key("2001:db8:1:2::5")
    assert limiter_key("198.51.100.9") == "198.51.100.9"


def test_failures_from_outside_never_lock_the_account_itself() -> None:
    limiter = LoginLimiter(max_failures=3, window_seconds=60, max_failures_per_address=50)
    for _ in range(40):
        limiter.failed(username="chair", client="203.0.113.66")
    assert limiter.check(username="chair", client="203.0.113.66") is Block.ACCOUNT_FROM_ADDRESS
    assert limiter.check(username="chair", client="198.51.100.9") is None


def test_one_address_guessing_at_many_accounts_is_stopped() -> None:
    limiter = LoginLimiter(max_failures=3, window_seconds=60, max_failures_per_address=5)
    for n in range(5):
        limiter.failed(username=f"person{n}", client="203.0.113.66")
    assert limiter.check(username="someone-new", client="203.0.113.66") is Block.ADDRESS
    assert limiter.check(username="someone-new", client="198.51.100.9") is None


def test_spraying_from_many_addresses_stops_every_failing_address_but_not_others() -> None:
    limiter = LoginLimiter(max_failures=3, window_seconds=60, max_failures_per_address=50,
                           spray_threshold=100)
    for n in range(100):  # one guess per address, each at another account
        limiter.failed(username=f"person{n}", client=f"203.0.113.{n}")
    assert limiter.check(username="anyone", client="203.0.113.5") is Block.SPRAY
    assert limiter.check(username="chair", client="198.51.100.9") is None


@pytest.mark.parametrize(("roles", "staff", "members", "required"), [
    (("member",), True, False, False),
    (("member", "chair"), True, False, False),
    (("clerk",), True, False, True),
    (("admin",), True, False, True),
    (("clerk",), False, False, False),
    (("member",), True, True, True),
    (("operator",), False, False, True),  # operators always
])
def test_who_must_use_a_second_factor(
    roles: tuple[str, ...], staff: bool, members: bool, required: bool
) -> None:
    from ratsraum_identity.accounts.models import Tenant
    from ratsraum_identity.accounts.second_factor import mfa_required

    town = Tenant(id="soest", name="Stadt Soest", staff_mfa_required=staff,
                  member_mfa_required=members)
    assert mfa_required(town, roles) is required
