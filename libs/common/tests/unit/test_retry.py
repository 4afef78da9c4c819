"""The bounded retry: how often it tries, how long it waits, and what it lets through."""

from __future__ import annotations

import time

import pytest

from ratsraum_common.retry import bounded_retry, total_backoff


class Flaky(Exception):
    """A failure worth retrying."""


async def _call_failing(times: int, calls: list[float], error: Exception) -> str:
    calls.append(time.monotonic())
    if len(calls) <= times:
        raise error
    return "ok"


async def test_a_call_that_recovers_is_answered_after_backing_off() -> None:
    calls: list[float] = []
    async for attempt in bounded_retry(what="t", attempts=3, backoff_seconds=0.02,
                                       retry_on=Flaky):
        with attempt:
            result = await _call_failing(2, calls, Flaky())
    assert result == "ok"
    assert len(calls) == 3
    # waits of 0.02 s then 0.04 s between the three attempts
    assert calls[1] - calls[0] >= 0.018
    assert calls[2] - calls[1] >= 0.038


async def _retry(calls: list[float], error: Exception, **options: object) -> None:
    async for attempt in bounded_retry(what="t", backoff_seconds=0.0, **options):  # type: ignore[arg-type]
        with attempt:
            await _call_failing(10, calls, error)


async def test_the_last_error_is_raised_once_the_attempts_are_spent() -> None:
    calls: list[float] = []
    with pytest.raises(Flaky):
        await _retry(calls, Flaky(), attempts=3, retry_on=Flaky)
    assert len(calls) == 3


async def test_an_error_not_worth_retrying_is_raised_at_once() -> None:
    calls: list[float] = []
    with pytest.raises(ValueError, match="bad"):
        await _retry(calls, ValueError("bad"), attempts=5,
                     retry_if=lambda e: isinstance(e, Flaky))
    assert len(calls) == 1


def test_total_backoff_sums_the_waits_between_attempts() -> None:
    assert total_backoff(attempts=1, backoff_seconds=0.2) == 0
    assert total_backoff(attempts=3, backoff_seconds=0.2) == pytest.approx(0.2 + 0.4)
