"""What a consumer checks before it handles an event, and how it backs off and gives up."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from prometheus_client import Counter

from ratsraum_common.metrics import ServiceMetrics

MAX_RETRY_DELAY_SECONDS = 60.0


class RetryLater(Exception):
    """The handler's dependency is unreachable: redeliver later; never a dead letter."""


class Refuse(Exception):
    """The event must not take effect (its claim does not hold): a dead letter at once."""


def subject_tenant(subject: str) -> str:
    """The tenant of an event subject `ratsraum.<tenant>.<service>.<event>` ("" if none)."""
    parts = subject.split(".")
    return parts[1] if len(parts) >= 4 and parts[0] == "ratsraum" else ""


def retry_delay(attempt: int, *, base: float) -> float:
    """Seconds before redelivery after the n-th failed attempt: doubling, at most a minute."""
    return float(min(MAX_RETRY_DELAY_SECONDS, base * 2.0 ** max(0, attempt - 1)))


@dataclass(frozen=True, slots=True)
class ConsumerMetrics:
    """Events a service's consumers gave up on, by consumer and why."""

    given_up: Counter

    @classmethod
    def register(cls, metrics: ServiceMetrics) -> ConsumerMetrics:
        """The counters in the service's registry."""
        return cls(given_up=metrics.counter(
            "events_dead_lettered",
            "Events refused or failing every attempt, kept as dead letters",
            ["consumer", "kind"]))


async def cancel_and_wait(task: asyncio.Task[None], *, interval: float = 0.2) -> None:
    """Cancel a task and wait until it has ended, cancelling again while it runs on.

    nats-py swallows a cancel that arrives inside a publish while it reconnects; a loop
    around such a call would then run on, and a single cancel would wait for it forever.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=interval)
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()
