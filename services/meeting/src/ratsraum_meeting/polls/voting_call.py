"""One call to the voting service: a deadline, bounded retries, and one kind of refusal.

Every answer voting gives meeting ends up here or in the cast relay as one of two
exceptions: `VotingRefused` (voting answered no; its ErrorInfo reason says why) or
`VotingUnavailable` (no answer within the bounded retries; nothing is known to be recorded).
Callers above turn them into problems (polls/refusals.py); nothing translates them again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from ratsraum_common.grpcutil import error_reason
from ratsraum_common.retry import bounded_retry

T = TypeVar("T")
TRANSIENT = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
STATUS_CODES = {code.value[0]: code for code in grpc.StatusCode}


class VotingUnavailable(Exception):
    """Voting did not answer within the bounded retries; nothing is known to be recorded."""


class VotingRefused(Exception):
    """Voting answered with an error; `reason` is its ErrorInfo reason, if any."""

    def __init__(self, code: grpc.StatusCode, reason: str | None, message: str) -> None:
        super().__init__(f"{code.name} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message


def is_transient(exc: BaseException) -> bool:
    """Whether a failed call is worth repeating (voting unreachable or too slow)."""
    return isinstance(exc, grpc.aio.AioRpcError) and exc.code() in TRANSIENT


def refused_by_rpc(exc: grpc.aio.AioRpcError) -> VotingRefused:
    """The refusal a failed call's status carries."""
    return VotingRefused(exc.code(), error_reason(exc), exc.details() or "")


def refused_by_item(code: int, reason: str, message: str) -> VotingRefused:
    """The refusal of one item of a batch call (the status the unary call would carry)."""
    return VotingRefused(STATUS_CODES.get(code, grpc.StatusCode.UNKNOWN), reason or None, message)


async def call_voting(
    name: str, method: Callable[..., Awaitable[T]], request: Any, *, timeout: float,
    attempts: int, backoff_seconds: float,
) -> T:
    """Call a voting RPC; transient errors retry with backoff, others are its refusal."""
    try:
        async for attempt in bounded_retry(what=f"voting.{name}", attempts=attempts,
                                           backoff_seconds=backoff_seconds,
                                           retry_if=is_transient):
            with attempt:
                answer: T = await method(request, timeout=timeout)
                return answer
    except grpc.aio.AioRpcError as exc:
        if exc.code() in TRANSIENT:
            raise VotingUnavailable(name) from exc
        raise refused_by_rpc(exc) from exc
    raise VotingUnavailable(name)  # not reached: the last attempt returns or raises
