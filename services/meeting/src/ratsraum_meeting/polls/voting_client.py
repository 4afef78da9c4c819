"""The border to the voting service: a deadline on every call, bounded idempotent retries.

Meeting knows each poll's method, so the method decides which of voting's services is
called: secret polls live in SecretBallotService, every other poll in VotingService.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2, voting_pb2_grpc
from ratsraum_meeting.polls.cast_relay import CastRelay
from ratsraum_meeting.polls.voting_call import VotingRefused, VotingUnavailable, call_voting

__all__ = ["SECRET_CEREMONY_SECONDS", "VotingClient", "VotingRefused", "VotingUnavailable",
           "secret_open_request"]

T = TypeVar("T")
# Secret polls run a key ceremony with the guardians when they open (also a re-run or a
# runoff): far slower than a database write, so they get their own deadline.
SECRET_CEREMONY_SECONDS = 60.0


def _secret(method: str) -> bool:
    """Whether a poll of this method (as meeting stores it) lives in SecretBallotService."""
    return method == "secret"


class VotingClient:
    """Calls voting's services; every call is safe to repeat, so transient errors retry."""

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
        self.relay = CastRelay(self.stub, deadline_seconds=deadline_seconds, attempts=attempts,
                               backoff_seconds=backoff_seconds)

    async def _call(self, name: str, method: Callable[..., Awaitable[T]], request: Any,
                    timeout: float | None = None) -> T:
        return await call_voting(name, method, request, timeout=timeout or self.deadline,
                                 attempts=self.attempts, backoff_seconds=self.backoff)

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

    async def _found_after_retry(self, exc: VotingRefused, *, tenant: str, poll_id: str,
                                 method: str) -> voting_pb2.Poll:
        """The poll an earlier attempt created and only its answer was lost."""
        if exc.reason != "POLL_ALREADY_EXISTS":
            raise exc
        return await self.get_poll(voting_pb2.GetPollRequest(tenant=tenant, poll_id=poll_id),
                                   method=method)

    async def open_poll(self, request: voting_pb2.OpenPollRequest) -> voting_pb2.Poll:
        """Open a poll (secret ones with a key ceremony); a retry finding it returns it."""
        secret = request.method == voting_pb2.VOTE_METHOD_SECRET
        try:
            if secret:
                return await self._open_secret(request)
            return await self._call("OpenPoll", self.stub.OpenPoll, request)
        except VotingRefused as exc:
            return await self._found_after_retry(exc, tenant=request.tenant,
                                                 poll_id=request.poll_id,
                                                 method="secret" if secret else "")

    async def cast_ballot(
        self, request: voting_pb2.CastBallotRequest
    ) -> voting_pb2.CastBallotResponse:
        """Cast a ballot; voting counts one ballot per idempotency key.

        Sent with the other casts of the moment in one CastBallots call (cast_relay.py);
        the answer and the refusals are those of the unary CastBallot.
        """
        return await self.relay.cast(request)

    async def close_poll(self, request: voting_pb2.ClosePollRequest) -> voting_pb2.Poll:
        """Close and tally a poll (not a secret one: the guardians decrypt those)."""
        return await self._call("ClosePoll", self.stub.ClosePoll, request)

    async def get_poll(self, request: voting_pb2.GetPollRequest, *,
                       method: str) -> voting_pb2.Poll:
        """Read a poll of this method (choices hidden while open)."""
        if not _secret(method):
            return await self._call("GetPoll", self.stub.GetPoll, request)
        found: secret_pb2.SecretPoll = await self._call(
            "GetSecretPoll", self.secret.GetSecretPoll,
            secret_pb2.GetSecretPollRequest(tenant=request.tenant, poll_id=request.poll_id))
        return found.poll

    async def cancel_poll(self, request: voting_pb2.CancelPollRequest, *,
                          method: str) -> voting_pb2.Poll:
        """Cancel an open poll with a reason (repeating it finds the poll cancelled)."""
        if _secret(method):
            return await self._call("CancelSecretPoll", self.secret.CancelSecretPoll, request)
        return await self._call("CancelPoll", self.stub.CancelPoll, request)

    async def rerun_poll(self, request: voting_pb2.RerunPollRequest, *,
                         method: str) -> voting_pb2.Poll:
        """Void a disrupted poll and open its re-run under the caller's new id."""
        try:
            if _secret(method):
                return await self._call("RerunSecretPoll", self.secret.RerunSecretPoll,
                                        request, SECRET_CEREMONY_SECONDS)
            return await self._call("RerunPoll", self.stub.RerunPoll, request)
        except VotingRefused as exc:
            return await self._found_after_retry(exc, tenant=request.tenant,
                                                 poll_id=request.new_poll_id, method=method)

    async def record_show_of_hands(
        self, request: voting_pb2.RecordShowOfHandsRequest
    ) -> voting_pb2.Poll:
        """Close a poll with counts the clerk took from a show of hands."""
        return await self._call("RecordShowOfHands", self.stub.RecordShowOfHands, request)

    async def open_runoff(self, request: voting_pb2.OpenRunoffRequest, *,
                          method: str) -> voting_pb2.Poll:
        """Open the runoff of an election round under the caller's new id."""
        try:
            if _secret(method):
                return await self._call("OpenSecretRunoff", self.secret.OpenSecretRunoff,
                                        request, SECRET_CEREMONY_SECONDS)
            return await self._call("OpenRunoff", self.stub.OpenRunoff, request)
        except VotingRefused as exc:
            return await self._found_after_retry(exc, tenant=request.tenant,
                                                 poll_id=request.new_poll_id, method=method)

    async def amend_roll(self, request: voting_pb2.AmendRollRequest) -> voting_pb2.Poll:
        """Add a voter to an open poll's roll, with a reason (voting logs it in its chain)."""
        return await self._call("AmendRoll", self.stub.AmendRoll, request)

    async def draw_lot(self, request: voting_pb2.DrawLotRequest, *,
                       method: str) -> voting_pb2.Poll:
        """Draw the lot of a tied election; reveals the committed seed."""
        if _secret(method):
            return await self._call("DrawSecretLot", self.secret.DrawSecretLot, request)
        return await self._call("DrawLot", self.stub.DrawLot, request)


def secret_open_request(request: voting_pb2.OpenPollRequest) -> secret_pb2.OpenSecretPollRequest:
    """The OpenSecretPoll request of an OpenPoll request with method SECRET."""
    return secret_pb2.OpenSecretPollRequest(
        tenant=request.tenant, poll_id=request.poll_id, meeting_id=request.meeting_id,
        title=request.title, options=request.options, majority_rule=request.majority_rule,
        roll=request.roll, statutory_members=request.statutory_members,
        agenda_item_id=request.agenda_item_id, public=request.public, kind=request.kind)
