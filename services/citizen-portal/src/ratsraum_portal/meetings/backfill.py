"""Filling the read model from meeting over gRPC at startup (pages never ask meeting).

Meetings and public records both: events older than the stream keeps (90 days) would
otherwise never reach a portal that starts with an empty database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common.db import Database
from ratsraum_common.grpcutil import channel
from ratsraum_common.limits import PUBLIC_MEETINGS_PAGE_DEFAULT, PUBLIC_RECORDS_PAGE_DEFAULT
from ratsraum_common.logging import get_logger
from ratsraum_portal.meetings.service import (
    ApplyResult,
    apply_snapshot,
    is_tenant_id,
    snapshot_version,
)
from ratsraum_portal.records.service import apply_records

log = get_logger(__name__)


class MeetingClient:
    """Meeting's PublicMeetingService with a deadline on every call."""

    def __init__(self, *, target: str, timeout: float) -> None:
        self._channel = channel(target)
        self._stub = public_pb2_grpc.PublicMeetingServiceStub(self._channel)
        self.timeout = timeout

    async def pages(self) -> AsyncIterator[list[public_pb2.PublicMeeting]]:
        """Every public meeting of every town, a bounded page per call."""
        token = ""
        while True:
            response = await self._stub.ListPublicMeetings(
                public_pb2.ListPublicMeetingsRequest(
                    tenant="", page_size=PUBLIC_MEETINGS_PAGE_DEFAULT, page_token=token),
                timeout=self.timeout)
            yield list(response.meetings)
            if not response.next_page_token:
                return
            token = response.next_page_token

    async def record_pages(self) -> AsyncIterator[list[public_pb2.PublicRecordsChanged]]:
        """Every town's public records as they are now, a bounded page per call."""
        token = ""
        while True:
            response = await self._stub.ListPublicRecords(
                public_pb2.ListPublicRecordsRequest(
                    tenant="", page_size=PUBLIC_RECORDS_PAGE_DEFAULT, page_token=token),
                timeout=self.timeout)
            yield list(response.towns)
            if not response.next_page_token:
                return
            token = response.next_page_token

    async def submit_question(
        self, request: public_pb2.SubmitCitizenQuestionRequest
    ) -> public_pb2.SubmitCitizenQuestionResponse:
        """Forward a citizen's question to meeting (raises grpc.aio.AioRpcError on refusal)."""
        response: public_pb2.SubmitCitizenQuestionResponse = (
            await self._stub.SubmitCitizenQuestion(request, timeout=self.timeout))
        return response

    async def close(self) -> None:
        """Close the channel."""
        await self._channel.close()


async def apply_backfilled(*, db: Database, meeting: public_pb2.PublicMeeting) -> ApplyResult:
    """Apply one snapshot from meeting (compared by version once it has one, else updated_at)."""
    tenant = meeting.tenant.id
    if not is_tenant_id(tenant):
        return ApplyResult.REJECTED
    async with db.transaction(tenant) as session:
        return await apply_snapshot(
            session=session, tenant=tenant, meeting=meeting, version=snapshot_version(meeting)
        )


async def _backfill_records(*, db: Database, client: MeetingClient) -> int:
    """Apply every town's current records, page by page; a failure leaves the rest to the
    events (the pages applied so far stay: applying is additive)."""
    applied = 0
    try:
        async for towns in client.record_pages():
            for town in towns:
                if not is_tenant_id(town.tenant.id):
                    continue
                async with db.transaction(town.tenant.id) as session:
                    # Unchanged records keep their stamps; only news counts as modified.
                    applied += bool(await apply_records(session=session, tenant=town.tenant.id,
                                                        event=town))
    except Exception as exc:
        log.warning("portal.records_backfill_failed", error=str(exc)[:200])
    return applied


async def backfill_until_done(
    *, db: Database, client: MeetingClient, initial_backoff: float, max_backoff: float
) -> int:
    """List all public meetings once meeting answers (retrying with backoff); returns applied."""
    delay = initial_backoff
    waited = False
    while True:
        received = applied = 0
        try:
            # Page by page: a retry after a failure starts over, which applying makes harmless
            # (a snapshot already stored is skipped by its version).
            async for page in client.pages():
                received += len(page)
                for meeting in page:
                    if await apply_backfilled(db=db, meeting=meeting) is ApplyResult.APPLIED:
                        applied += 1
            applied += await _backfill_records(db=db, client=client)
        except Exception as exc:
            # Meeting (or the database) not there yet: the read model still serves meanwhile.
            # Said once at info; the retries that follow would only flood the log.
            report = log.debug if waited else log.info
            report("portal.backfill_waiting", error=str(exc)[:200], retry_in=delay)
            waited = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_backoff)
            continue
        log.info("portal.backfill_done", received=received, applied=applied)
        return applied
