"""One bounded retry with exponential backoff for every outgoing call, built on tenacity.

Every caller retries the same way: a fixed number of attempts, a wait of
`backoff_seconds * 2 ** (n - 1)` after the n-th failed attempt, a warning in the log for each
retry, and the last error raised unchanged once the attempts are spent. What counts as worth
retrying is the caller's: an exception type, or a predicate over the exception.

    async for attempt in bounded_retry(what="voting.CastBallots", attempts=3,
                                       backoff_seconds=0.2, retry_if=is_transient):
        with attempt:
            return await stub.CastBallots(request, timeout=deadline)
"""

from __future__ import annotations

from collections.abc import Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from ratsraum_common.logging import get_logger

log = get_logger(__name__)

RetryOn = type[BaseException] | tuple[type[BaseException], ...]


def bounded_retry(
    *,
    what: str,
    attempts: int,
    backoff_seconds: float,
    retry_on: RetryOn = Exception,
    retry_if: Callable[[BaseException], bool] | None = None,
) -> AsyncRetrying:
    """Up to `attempts` tries of one call, backing off exponentially; the last error is raised."""

    def note_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        log.warning("call.retry", call=what, attempt=state.attempt_number,
                    error=type(error).__name__ if error else None,
                    wait_seconds=round(state.upcoming_sleep, 3))

    condition = retry_if_exception(retry_if) if retry_if is not None else (
        retry_if_exception_type(retry_on))
    return AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait_exponential(multiplier=backoff_seconds, exp_base=2, min=0),
        retry=condition,
        before_sleep=note_retry,
        reraise=True,
    )


def total_backoff(*, attempts: int, backoff_seconds: float) -> float:
    """The sum of all waits between `attempts` tries (for callers that budget a deadline)."""
    return sum(backoff_seconds * 2.0 ** (n - 1) for n in range(1, max(1, attempts)))
