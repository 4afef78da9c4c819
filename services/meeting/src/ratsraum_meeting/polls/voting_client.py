"""The border to the voting service: a deadline on every call, bounded idempotent retries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.grpcutil import error_reason
from ratsraum_common.logging import get_logger

log = get_logger(__name__)
T = TypeVar("T")
_TRANSIENT = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


class VotingUnavailable(Exception):
    """Voting did not answer within the bounded retries; nothing is known to be recorded."""


class VotingRefused(Exception):
    """Voting answered with an error; `reason` is its ErrorInfo reason, if any."""

    def __init__(self, code: grpc.StatusCode, reason: str | None, message: str) -> None:
        super().__init__(f"{code.name} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message


class VotingClient:
    """Calls voting.VotingService; every call is safe to repeat, so transient errors retry."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        *,
        deadline_seconds: float = 5.0,
        attempts: int = 3,
        backoff_seconds: float = 0.2,
    ) -> None:
        self.channel = channel
        self.stub = voting_pb2_grpc.VotingServiceStub(channel)
        self.deadline = deadline_seconds
        self.attempts = attempts
        self.backoff = backoff_seconds

    async def _call(self, name: str, call: Callable[..., Awaitable[T]], request: Any) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return await call(request, timeout=self.deadline)
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in _TRANSIENT:
                    raise VotingRefused(exc.code(), error_reason(exc), exc.details() or "") from exc
                log.warning("voting.call_retry", call=name, attempt=attempt,
                            code=exc.code().name)
                if attempt < self.attempts:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise VotingUnavailable(name)

    async def open_poll(self, request: voting_pb2.OpenPollRequest) -> voting_pb2.Poll:
        """Open a poll; a retry that finds the poll already there returns it."""
        try:
            return await self._call("OpenPoll", self.stub.OpenPoll, request)
        except VotingRefused as exc:
            if exc.reason != "POLL_ALREADY_EXISTS":
                raise
            # An earlier attempt opened it and only its answer was lost.
            return await self.get_poll(
                voting_pb2.GetPollRequest(tenant=request.tenant, poll_id=request.poll_id)
            )

    async def cast_ballot(
        self, request: voting_pb2.CastBallotRequest
    ) -> voting_pb2.CastBallotResponse:
        """Cast a ballot; voting counts one ballot per idempotency key."""
        return await self._call("CastBallot", self.stub.CastBallot, request)

    async def close_poll(self, request: voting_pb2.ClosePollRequest) -> voting_pb2.Poll:
        """Close and tally a poll."""
        return await self._call("ClosePoll", self.stub.ClosePoll, request)

    async def get_poll(self, request: voting_pb2.GetPollRequest) -> voting_pb2.Poll:
        """Read a poll (choices hidden while open)."""
        return await self._call("GetPoll", self.stub.GetPoll, request)

    async def cancel_poll(self, request: voting_pb2.CancelPollRequest) -> voting_pb2.Poll:
        """Cancel an open poll with a reason (repeating it finds the poll cancelled)."""
        return await self._call("CancelPoll", self.stub.CancelPoll, request)

    async def rerun_poll(self, request: voting_pb2.RerunPollRequest) -> voting_pb2.Poll:
        """Void a disrupted poll and open its re-run under the caller's new id."""
        try:
            return await self._call("RerunPoll", self.stub.RerunPoll, request)
        except VotingRefused as exc:
            if exc.reason != "POLL_ALREADY_EXISTS":
                raise
            return await self.get_poll(
                voting_pb2.GetPollRequest(tenant=request.tenant, poll_id=request.new_poll_id))

    async def record_show_of_hands(
        self, request: voting_pb2.RecordShowOfHandsRequest
    ) -> voting_pb2.Poll:
        """Close a poll with counts the clerk took from a show of hands."""
        return await self._call("RecordShowOfHands", self.stub.RecordShowOfHands, request)

    async def publish_poll(self, request: voting_pb2.PublishPollRequest) -> voting_pb2.Poll:
        """Release a closed poll's result."""
        return await self._call("PublishPoll", self.stub.PublishPoll, request)

    async def open_runoff(self, request: voting_pb2.OpenRunoffRequest) -> voting_pb2.Poll:
        """Open the runoff of an election round under the caller's new id."""
        try:
            return await self._call("OpenRunoff", self.stub.OpenRunoff, request)
        except VotingRefused as exc:
            if exc.reason != "POLL_ALREADY_EXISTS":
                raise
            return await self.get_poll(
                voting_pb2.GetPollRequest(tenant=request.tenant, poll_id=request.new_poll_id))

    async def draw_lot(self, request: voting_pb2.DrawLotRequest) -> voting_pb2.Poll:
        """Draw the lot of a tied election; reveals the committed seed."""
        return await self._call("DrawLot", self.stub.DrawLot, request)
