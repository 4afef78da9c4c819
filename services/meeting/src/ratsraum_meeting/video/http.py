"""Outgoing provider calls: one deadline per attempt and a bounded number of retries."""

from __future__ import annotations

from typing import Any

import httpx

from ratsraum_common.outbound import OutboundPolicy, OutboundRefused, check_target
from ratsraum_common.retry import bounded_retry
from ratsraum_meeting.video.base import VideoError

# Retrying these is safe or expected: the provider was overloaded or briefly away.
_RETRY_STATUS = frozenset({429, 502, 503, 504})


class _Busy(Exception):
    """An answer worth another try: the provider was overloaded or briefly away."""


class ProviderHttp:
    """An httpx client with a per-attempt timeout and bounded retries with backoff.

    With a policy, every attempt first checks that the address is allowed and its host resolves
    to public addresses only (see ratsraum_common.outbound for the DNS-rebinding limit).
    """

    def __init__(
        self, *, base_url: str, timeout_seconds: float, attempts: int,
        backoff_seconds: float = 0.2, client: httpx.AsyncClient | None = None,
        policy: OutboundPolicy | None = None,
    ) -> None:
        # Redirects stay off: a provider's 3xx must not lead us to another host.
        self.client = client or httpx.AsyncClient(
            base_url=base_url, timeout=httpx.Timeout(timeout_seconds), follow_redirects=False,
        )
        self.policy = policy
        self.attempts = max(1, attempts)
        self.backoff = backoff_seconds

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send, retrying transport errors and 429/5xx; raise VideoError when out of tries."""
        last = ""
        target = str(self.client.build_request(method, url).url)
        try:
            async for attempt in bounded_retry(
                what=f"video {method} {url}", attempts=self.attempts,
                backoff_seconds=self.backoff, retry_on=(httpx.TransportError, _Busy),
            ):
                with attempt:
                    if self.policy is not None:
                        await check_target(target, policy=self.policy)
                    response = await self.client.request(method, url, **kwargs)
                    if response.status_code in _RETRY_STATUS:
                        raise _Busy(f"status {response.status_code}")
                    if response.status_code >= 400:
                        raise VideoError(
                            f"{method} {url} answered {response.status_code}: "
                            f"{response.text[:200]}", status=response.status_code,
                        )
                    return response
        except OutboundRefused as exc:
            raise VideoError(f"{method} {url} refused: {exc}") from exc
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
        except _Busy as exc:
            last = str(exc)
        raise VideoError(f"{method} {url} failed after {self.attempts} attempts: {last}")

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self.client.aclose()
