"""Guard for outgoing calls to addresses a town admin or a remote server chose.

https only and public hosts only, unless the operator allows otherwise (dev stacks and tests
with local fakes). The check resolves the host and refuses it if any address it resolves to is
internal. Limit: the HTTP client resolves the name again when it connects, so a hostile DNS
server answering differently the second time (DNS rebinding) can slip past; network egress
rules remain the stronger fence.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ValueError):
    """The address may not be called: wrong scheme, no host, or an internal address."""


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """What the operator allows beyond https to public hosts."""

    allow_http: bool = False
    allow_private: bool = False


def is_internal(address: IPAddress) -> bool:
    """True for loopback, private, link-local, multicast, reserved or unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified)


def check_url(url: str, *, policy: OutboundPolicy) -> str:
    """The URL's host after checking scheme and, for an IP literal, the address itself."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises for a port that is not a number
    except ValueError as exc:
        raise OutboundRefused(f"{url!r}: not a valid address ({exc})") from exc
    allowed = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme.lower() not in allowed:
        raise OutboundRefused(f"{url!r}: only {' or '.join(allowed)} is allowed")
    if not host:
        raise OutboundRefused(f"{url!r}: no host")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not policy.allow_private and is_internal(literal):
        raise OutboundRefused(f"{url!r}: {literal} is an internal address")
    return host


async def resolve(host: str) -> list[IPAddress]:
    """Every address the host resolves to (empty when it does not resolve)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_target(url: str, *, policy: OutboundPolicy, must_resolve: bool = True) -> None:
    """Raise OutboundRefused unless the URL is allowed and its host resolves to public addresses.

    `must_resolve=False` lets a host that does not resolve now pass (saving a setup ahead of
    its DNS entry); the check before each call still refuses it then.
    """
    host = check_url(url, policy=policy)
    if policy.allow_private:
        return
    addresses = await resolve(host)
    if not addresses and must_resolve:
        raise OutboundRefused(f"{url!r}: host {host} does not resolve")
    internal = sorted({str(a) for a in addresses if is_internal(a)})
    if internal:
        raise OutboundRefused(f"{url!r}: host {host} resolves to internal {', '.join(internal)}")
