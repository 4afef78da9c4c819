"""gRPC handlers of the poll life cycle, elections and audit (mixed into VotingServicer)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, TypeVar

import grpc

from ratsraum.voting.v1 import voting_pb2
from ratsraum_common.db import Database
from ratsraum_voting.api import audit_record
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import invalid
from ratsraum_voting.polls import election_flow, lifecycle
from ratsraum_voting.polls.schemas import PollView, check_id, check_poll_id, check_tenant
from ratsraum_voting.polls.wire import poll_to_proto

T = TypeVar("T")
Context: TypeAlias = grpc.aio.ServicerContext


def _ids(request: Any) -> tuple[str, str]:
    return check_tenant(request.tenant), check_poll_id(request.poll_id)


def _actor(field: str, value: str) -> str:
    return check_id(field, value, required=False)


class LifecycleRpcs:
    """Cancel, re-run, show of hands, roll amendment, publish, runoff, lot, audit export."""

    db: Database
    signer: AuditSigner
    _handle: Callable[..., Awaitable[Any]]

    async def _poll(self, rpc: str, request: Any, context: Context,
                    step: Callable[[str, str], Awaitable[PollView]]) -> voting_pb2.Poll:
        async def call() -> voting_pb2.Poll:
            tenant, poll_id = _ids(request)
            return poll_to_proto(await step(tenant, poll_id))

        result: voting_pb2.Poll = await self._handle(rpc, request.tenant, context, call)
        return result

    async def CancelPoll(self, request: voting_pb2.CancelPollRequest,
                         context: Context) -> voting_pb2.Poll:
        """Withdraw an open poll with a reason."""
        return await self._poll("CancelPoll", request, context, lambda t, p: lifecycle.cancel_poll(
            db=self.db, signer=self.signer, tenant=t, poll_id=p,
            reason=lifecycle.check_reason(request.reason),
            by=_actor("cancelled_by", request.cancelled_by),
        ))

    async def RerunPoll(self, request: voting_pb2.RerunPollRequest,
                        context: Context) -> voting_pb2.Poll:
        """Void a disrupted poll and open its re-run."""
        return await self._poll("RerunPoll", request, context, lambda t, p: lifecycle.rerun_poll(
            db=self.db, signer=self.signer, tenant=t, poll_id=p,
            new_poll_id=check_poll_id(request.new_poll_id),
            reason=lifecycle.check_reason(request.reason), roll=list(request.roll),
            by=_actor("requested_by", request.requested_by),
        ))

    async def RecordShowOfHands(self, request: voting_pb2.RecordShowOfHandsRequest,
                                context: Context) -> voting_pb2.Poll:
        """Close an open poll with counts from a show of hands."""
        counts: dict[str, int] = {}
        for count in request.counts:
            counts[count.option_id] = counts.get(count.option_id, 0) + count.count
        return await self._poll(
            "RecordShowOfHands", request, context,
            lambda t, p: lifecycle.record_show_of_hands(
                db=self.db, signer=self.signer, tenant=t, poll_id=p, counts=counts,
                by=_actor("recorded_by", request.recorded_by),
            ),
        )

    async def AmendRoll(self, request: voting_pb2.AmendRollRequest,
                        context: Context) -> voting_pb2.Poll:
        """Add a late member to an open poll's roll, with a reason."""
        return await self._poll("AmendRoll", request, context, lambda t, p: lifecycle.amend_roll(
            db=self.db, tenant=t, poll_id=p, voter_id=check_id("voter_id", request.voter_id),
            reason=lifecycle.check_reason(request.reason),
            by=_actor("amended_by", request.amended_by),
        ))

    async def PublishPoll(self, request: voting_pb2.PublishPollRequest,
                          context: Context) -> voting_pb2.Poll:
        """Release a closed poll's result."""
        return await self._poll("PublishPoll", request, context, lambda t, p: (
            lifecycle.publish_poll(db=self.db, signer=self.signer, tenant=t, poll_id=p,
                                   by=_actor("published_by", request.published_by))
        ))

    async def OpenRunoff(self, request: voting_pb2.OpenRunoffRequest,
                         context: Context) -> voting_pb2.Poll:
        """Open the runoff of an election round."""
        return await self._poll("OpenRunoff", request, context, lambda t, p: (
            election_flow.open_runoff(db=self.db, tenant=t, poll_id=p,
                                      new_poll_id=check_poll_id(request.new_poll_id),
                                      roll=list(request.roll))
        ))

    async def DrawLot(self, request: voting_pb2.DrawLotRequest,
                      context: Context) -> voting_pb2.Poll:
        """Draw the committed lot of a tied election."""
        return await self._poll("DrawLot", request, context, lambda t, p: (
            election_flow.draw_lot(db=self.db, signer=self.signer, tenant=t, poll_id=p,
                                   by=_actor("drawn_by", request.drawn_by))
        ))

    async def ExportAuditRecord(self, request: voting_pb2.ExportAuditRecordRequest,
                                context: Context) -> voting_pb2.AuditRecord:
        """The poll's audit record as JSON with its SHA-256."""

        async def call() -> voting_pb2.AuditRecord:
            tenant, poll_id = _ids(request)
            text = audit_record.dumps(
                await audit_record.export_record(db=self.db, tenant=tenant, poll_id=poll_id)
            )
            return voting_pb2.AuditRecord(
                json=text, sha256=hashlib.sha256(text.encode()).hexdigest()
            )

        result: voting_pb2.AuditRecord = await self._handle(
            "ExportAuditRecord", request.tenant, context, call
        )
        return result

    async def GetAuditKey(self, request: voting_pb2.GetAuditKeyRequest,
                          context: Context) -> voting_pb2.AuditKey:
        """The public key that signs chain heads."""
        return voting_pb2.AuditKey(public_key=self.signer.public_key_hex)


__all__ = ["LifecycleRpcs", "invalid"]
