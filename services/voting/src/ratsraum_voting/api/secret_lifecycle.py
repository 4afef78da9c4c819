"""gRPC handlers of the secret-poll life cycle and the code lookup (mixed into the servicer)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, TypeVar

import grpc

from ratsraum.voting.v1 import secret_pb2, voting_pb2
from ratsraum_common.db import Database
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import invalid
from ratsraum_voting.polls.lifecycle import check_reason
from ratsraum_voting.polls.schemas import check_id, check_poll_id, check_tenant
from ratsraum_voting.secret import lifecycle, published, service
from ratsraum_voting.secret.remote import GuardianAddress

T = TypeVar("T")
Context: TypeAlias = grpc.aio.ServicerContext
_CODE = re.compile(r"^[0-9A-F]{1,128}$")


def _ids(request: Any) -> tuple[str, str]:
    return check_tenant(request.tenant), check_poll_id(request.poll_id)


def _actor(field: str, value: str) -> str:
    return check_id(field, value, required=False)


class SecretLifecycleRpcs:
    """Cancel, re-run, runoff, lot and the confirmation-code lookup of secret polls."""

    db: Database
    guardians: list[GuardianAddress]
    signer: AuditSigner
    _handle: Callable[..., Awaitable[Any]]

    async def _poll(self, request: Any, context: Context,
                    step: Callable[[str, str], Awaitable[voting_pb2.Poll]]) -> voting_pb2.Poll:
        async def call() -> voting_pb2.Poll:
            return await step(*_ids(request))

        result: voting_pb2.Poll = await self._handle(context, call)
        return result

    async def CancelSecretPoll(self, request: voting_pb2.CancelPollRequest,
                               context: Context) -> voting_pb2.Poll:
        """Withdraw an open secret poll with a reason."""
        return await self._poll(request, context, lambda t, p: lifecycle.cancel_secret_poll(
            db=self.db, signer=self.signer, tenant=t, poll_id=p,
            reason=check_reason(request.reason),
            by=_actor("cancelled_by", request.cancelled_by)))

    async def RerunSecretPoll(self, request: voting_pb2.RerunPollRequest,
                              context: Context) -> voting_pb2.Poll:
        """Void a disrupted secret poll and open its re-run (new key ceremony)."""
        return await self._poll(request, context, lambda t, p: lifecycle.rerun_secret_poll(
            db=self.db, guardians=self.guardians, signer=self.signer, tenant=t, poll_id=p,
            new_poll_id=check_poll_id(request.new_poll_id),
            reason=check_reason(request.reason), roll=list(request.roll),
            by=_actor("requested_by", request.requested_by)))

    async def OpenSecretRunoff(self, request: voting_pb2.OpenRunoffRequest,
                               context: Context) -> voting_pb2.Poll:
        """Open the secret runoff of a secret election round."""
        return await self._poll(request, context, lambda t, p: lifecycle.open_secret_runoff(
            db=self.db, guardians=self.guardians, tenant=t, poll_id=p,
            new_poll_id=check_poll_id(request.new_poll_id), roll=list(request.roll)))

    async def DrawSecretLot(self, request: voting_pb2.DrawLotRequest,
                            context: Context) -> voting_pb2.Poll:
        """Draw the committed lot of a tied secret election."""
        return await self._poll(request, context, lambda t, p: lifecycle.draw_secret_lot(
            db=self.db, signer=self.signer, tenant=t, poll_id=p,
            by=_actor("drawn_by", request.drawn_by)))

    async def FindConfirmationCode(
        self, request: secret_pb2.FindConfirmationCodeRequest, context: Context
    ) -> secret_pb2.FindConfirmationCodeResponse:
        """Whether the code is among the cast ballots of the published record."""

        async def call() -> secret_pb2.FindConfirmationCodeResponse:
            tenant, poll_id = _ids(request)
            code = request.confirmation_code.strip().upper()
            if not _CODE.match(code):
                raise invalid("confirmation_code", "den Bestätigungscode (hexadezimal) angeben.")
            async with self.db.tenant_session(tenant) as session:
                poll = await service.load(session, poll_id)
                found = await published.code_in_record(session, poll=poll, code=code)
            return secret_pb2.FindConfirmationCodeResponse(
                found=found, record_sha256=poll.record_sha256)

        result: secret_pb2.FindConfirmationCodeResponse = await self._handle(context, call)
        return result
