"""gRPC PublicMeetingService: the portal's backfill, from the same snapshot and record builders."""

from __future__ import annotations

import grpc
from sqlalchemy import select

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common.db import Database, validate_tenant
from ratsraum_common.grpcutil import error_status
from ratsraum_meeting.meetings.models import Meeting, Tenant
from ratsraum_meeting.publish.record_events import town_records
from ratsraum_meeting.publish.snapshot import load_public_meeting

DOMAIN = "meeting.ratsraum.de"
SERVICE_NAME = "ratsraum.meeting.v1.PublicMeetingService"


class PublicMeetingServicer(public_pb2_grpc.PublicMeetingServiceServicer):  # type: ignore[misc]
    """Serves public snapshots of meetings (only ever public data)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _tenants(self, requested: str) -> list[str]:
        if requested:
            return [validate_tenant(requested)]
        async with self.db.system_session() as session:
            return list((await session.scalars(select(Tenant.id).order_by(Tenant.id))).all())

    async def ListPublicMeetings(
        self, request: public_pb2.ListPublicMeetingsRequest, context: grpc.aio.ServicerContext
    ) -> public_pb2.ListPublicMeetingsResponse:
        """Public snapshots of all meetings of one tenant, or of every tenant."""
        try:
            tenants = await self._tenants(request.tenant)
        except ValueError:
            await context.abort_with_status(error_status(
                grpc.StatusCode.INVALID_ARGUMENT, "INVALID_TENANT",
                "tenant must be a slug", domain=DOMAIN))
            raise  # abort_with_status raises; this only tells the type checker
        response = public_pb2.ListPublicMeetingsResponse()
        for tenant in tenants:
            async with self.db.tenant_session(tenant) as session:
                ids = (await session.scalars(
                    select(Meeting.id).order_by(Meeting.starts_at, Meeting.id))).all()
                for meeting_id in ids:
                    snapshot = await load_public_meeting(session, meeting_id)
                    if snapshot is not None:
                        response.meetings.append(snapshot)
        return response

    async def ListPublicRecords(
        self, request: public_pb2.ListPublicRecordsRequest, context: grpc.aio.ServicerContext
    ) -> public_pb2.ListPublicRecordsResponse:
        """Every public master-data record of one tenant, or of every tenant, as it is now."""
        try:
            tenants = await self._tenants(request.tenant)
        except ValueError:
            await context.abort_with_status(error_status(
                grpc.StatusCode.INVALID_ARGUMENT, "INVALID_TENANT",
                "tenant must be a slug", domain=DOMAIN))
            raise
        response = public_pb2.ListPublicRecordsResponse()
        for tenant in tenants:
            async with self.db.tenant_session(tenant) as session:
                response.towns.append(await town_records(session))
        return response

    async def GetPublicMeeting(
        self, request: public_pb2.GetPublicMeetingRequest, context: grpc.aio.ServicerContext
    ) -> public_pb2.PublicMeeting:
        """The public snapshot of one meeting; NOT_FOUND for unknown ids."""
        snapshot = None
        try:
            tenant = validate_tenant(request.tenant)
        except ValueError:
            tenant = None
        if tenant is not None:
            async with self.db.tenant_session(tenant) as session:
                snapshot = await load_public_meeting(session, request.meeting_id)
        if snapshot is None:
            await context.abort_with_status(error_status(
                grpc.StatusCode.NOT_FOUND, "MEETING_NOT_FOUND",
                f"no meeting {request.meeting_id!r} in tenant {request.tenant!r}",
                domain=DOMAIN))
            raise RuntimeError("unreachable: abort_with_status raises")
        return snapshot
