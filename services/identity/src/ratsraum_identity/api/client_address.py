"""The real client address behind trusted proxies (the cluster's ingress, a load balancer).

X-Forwarded-For is believed only as far as it was written by proxies we trust: walking the
chain from the nearest hop outwards, the first address that is not a trusted proxy is the
client. Anyone can send the header, so without trusted proxies it is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """The trusted proxy networks from settings (CIDR or single addresses)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _address(value: str) -> Address | None:
    text = value.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The address the request came from, as far as trusted proxies tell."""
    peer = _address(request.client.host) if request.client else None
    if peer is None:
        return "unknown"
    current: Address = peer
    if trusted:
        hops = [h for header in request.headers.getlist("x-forwarded-for")
                for h in header.split(",")]
        for hop in reversed(hops):
            if not any(current in net for net in trusted):
                break
            parsed = _address(hop)
            if parsed is None:  # garbage from beyond our proxies: stop at the last good hop
                break
            current = parsed
    return str(current)


def limiter_key(address: str) -> str:
    """The unit a limit counts: the address, or its /64 for IPv6 (one customer's network)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
