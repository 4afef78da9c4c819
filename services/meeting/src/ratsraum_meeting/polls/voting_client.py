"""The border to the voting service: a deadline on every call, bounded idempotent retries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2, voting_pb2_grpc
from ratsraum_common.grpcutil import error_reason
from ratsraum_common.logging import get_logger
from ratsraum_meeting.polls.cast_relay import CastRefused, CastRelay, CastUnavailable

log = get_logger(__name__)
T = TypeVar("T")
_TRANSIENT = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
# Secret polls run a key ceremony with the guardians when they open (also a re-run or a
# runoff): far slower than a database write, so they get their own deadline.
SECRET_CEREMONY_SECONDS = 60.0
_SECRET_TWINS = {"CancelPoll": "CancelSecretPoll", "RerunPoll": "RerunSecretPoll",
                 "OpenRunoff": "OpenSecretRunoff", "DrawLot": "DrawSecretLot"}


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
        self.secret = secret_pb2_grpc.SecretBallotServiceStub(channel)
        self.deadline = deadline_seconds
        self.attempts = attempts
        self.backoff = backoff_seconds
        self.relay = CastRelay(self.stub, unary=self.cast_ballot_unary,
                               deadline_seconds=deadline_seconds, attempts=attempts,
                               backoff_seconds=backoff_seconds)

    async def _call(self, name: str, call: Callable[..., Awaitable[T]], request: Any,
                    timeout: float | None = None) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return await call(request, timeout=timeout or self.deadline)
            except grpc.aio.AioRpcError as exc:
                if exc.code() not in _TRANSIENT:
                    raise VotingRefused(exc.code(), error_reason(exc), exc.details() or "") from exc
                log.warning("voting.call_retry", call=name, attempt=attempt,
                            code=exc.code().name)
                if attempt < self.attempts:
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise VotingUnavailable(name)

    async def _or_secret(self, name: str, request: Any, timeout: float | None = None) -> Any:
        """Call VotingService.<name>; a poll it does not know may be a secret one."""
        try:
            return await self._call(name, getattr(self.stub, name), request)
        except VotingRefused as exc:
            if exc.reason != "POLL_NOT_FOUND":
                raise
            not_found = exc
        # Secret polls live in SecretBallotService, which takes the same request messages.
        secret = _SECRET_TWINS[name]
        return await self._secret_or(not_found, secret, request, timeout)

    async def _secret_or(self, not_found: VotingRefused, name: str, request: Any,
                         timeout: float | None = None) -> Any:
        """Call SecretBallotService.<name>; without that service the poll is just unknown."""
        try:
            return await self._call(name, getattr(self.secret, name), request, timeout)
        except VotingRefused as exc:
            if exc.code == grpc.StatusCode.UNIMPLEMENTED:
                raise not_found from exc
            raise

    async def call_secret(self, name: str, request: Any, timeout: float | None = None) -> Any:
        """Call SecretBallotService.<name> with the same bounded, idempotent retries."""
        return await self._call(name, getattr(self.secret, name), request, timeout)

    async def _open_secret(self, request: voting_pb2.OpenPollRequest) -> voting_pb2.Poll:
        try:
            opened: secret_pb2.SecretPoll = await self._call(
                "OpenSecretPoll", self.secret.OpenSecretPoll, secret_open_request(request),
                SECRET_CEREMONY_SECONDS)
        except VotingRefused as exc:
            if exc.code != grpc.StatusCode.UNIMPLEMENTED:
                raise
            # A voting service without secret ballots: as if it had no guardians set up.
            raise VotingRefused(exc.code, "METHOD_NOT_SUPPORTED", exc.message) from exc
        return opened.poll

    async def open_poll(self, request: voting_pb2.OpenPollRequest) -> voting_pb2.Poll:
        """Open a poll (secret ones with a key ceremony); a retry finding it returns it."""
        try:
            if request.method == voting_pb2.VOTE_METHOD_SECRET:
                return await self._open_secret(request)
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
        """Cast a ballot; voting counts one ballot per idempotency key.

        Sent with the other casts of the moment in one CastBallots call (cast_relay.py);
        the answer and the refusals are those of the unary CastBallot.
        """
        try:
            return await self.relay.cast(request)
        except CastRefused as exc:
            raise VotingRefused(exc.code, exc.reason, exc.message) from exc
        except CastUnavailable as exc:
            raise VotingUnavailable("CastBallots") from exc

    async def cast_ballot_unary(
        self, request: voting_pb2.CastBallotRequest
    ) -> voting_pb2.CastBallotResponse:
        """Cast a ballot in a call of its own (voting without CastBallots)."""
        try:
            return await self._call("CastBallot", self.stub.CastBallot, request)
        except VotingRefused as exc:  # the relay's terms, so its callers see one kind
            raise CastRefused(exc.code, exc.reason, exc.message) from exc
        except VotingUnavailable as exc:
            raise CastUnavailable("CastBallot") from exc

    async def close_poll(self, request: voting_pb2.ClosePollRequest) -> voting_pb2.Poll:
        """Close and tally a poll."""
        return await self._call("ClosePoll", self.stub.ClosePoll, request)

    async def get_poll(self, request: voting_pb2.GetPollRequest) -> voting_pb2.Poll:
        """Read a poll (choices hidden while open); a secret one through its own service."""
        try:
            return await self._call("GetPoll", self.stub.GetPoll, request)
        except VotingRefused as exc:
            if exc.reason != "POLL_NOT_FOUND":
                raise
            not_found = exc
        found: secret_pb2.SecretPoll = await self._secret_or(
            not_found, "GetSecretPoll",
            secret_pb2.GetSecretPollRequest(tenant=request.tenant, poll_id=request.poll_id))
        return found.poll

    async def cancel_poll(self, request: voting_pb2.CancelPollRequest) -> voting_pb2.Poll:
        """Cancel an open poll with a reason (repeating it finds the poll cancelled)."""
        cancelled: voting_pb2.Poll = await self._or_secret("CancelPoll", request)
        return cancelled

    async def rerun_poll(self, request: voting_pb2.RerunPollRequest) -> voting_pb2.Poll:
        """Void a disrupted poll and open its re-run under the caller's new id."""
        try:
            rerun: voting_pb2.Poll = await self._or_secret(
                "RerunPoll", request, SECRET_CEREMONY_SECONDS)
            return rerun
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
            runoff: voting_pb2.Poll = await self._or_secret(
                "OpenRunoff", request, SECRET_CEREMONY_SECONDS)
            return runoff
        except VotingRefused as exc:
            if exc.reason != "POLL_ALREADY_EXISTS":
                raise
            return await self.get_poll(
                voting_pb2.GetPollRequest(tenant=request.tenant, poll_id=request.new_poll_id))

    async def amend_roll(self, request: voting_pb2.AmendRollRequest) -> voting_pb2.Poll:
        """Add a voter to an open poll's roll, with a reason (voting logs it in its chain)."""
        return await self._call("AmendRoll", self.stub.AmendRoll, request)

    async def draw_lot(self, request: voting_pb2.DrawLotRequest) -> voting_pb2.Poll:
        """Draw the lot of a tied election; reveals the committed seed."""
        drawn: voting_pb2.Poll = await self._or_secret("DrawLot", request)
        return drawn


def secret_open_request(request: voting_pb2.OpenPollRequest) -> secret_pb2.OpenSecretPollRequest:
    """The OpenSecretPoll request of an OpenPoll request with method SECRET."""
    return secret_pb2.OpenSecretPollRequest(
        tenant=request.tenant, poll_id=request.poll_id, meeting_id=request.meeting_id,
        title=request.title, options=request.options, majority_rule=request.majority_rule,
        roll=request.roll, statutory_members=request.statutory_members,
        agenda_item_id=request.agenda_item_id, public=request.public, kind=request.kind)
