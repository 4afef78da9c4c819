"""gRPC PublicMeetingService: the portal's backfill, from the same snapshot and record builders."""

from __future__ import annotations

import base64
import binascii
import json
from typing import NoReturn

import grpc
from sqlalchemy import select

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common.db import Database, validate_tenant
from ratsraum_common.grpcutil import error_status
from ratsraum_common.limits import (
    PUBLIC_MEETINGS_PAGE_DEFAULT,
    PUBLIC_MEETINGS_PAGE_MAX,
    PUBLIC_RECORDS_PAGE_DEFAULT,
    PUBLIC_RECORDS_PAGE_MAX,
)
from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.meetings.models import Meeting, Tenant
from ratsraum_meeting.publish.record_events import town_records
from ratsraum_meeting.publish.snapshot import load_public_meeting
from ratsraum_meeting.questions import service as questions

DOMAIN = "meeting.ratsraum.de"
SERVICE_NAME = "ratsraum.meeting.v1.PublicMeetingService"
# A refusal of the domain as the gRPC status the portal shows its citizen.
_STATUS_OF = {404: grpc.StatusCode.NOT_FOUND, 409: grpc.StatusCode.FAILED_PRECONDITION}


def page_token(tenant: str, *position: str) -> str:
    """The opaque token naming the last entry of a page: a meeting id, or a record's kind
    and id (empty ones: the town's start)."""
    return base64.urlsafe_b64encode(json.dumps([tenant, *position]).encode()).decode()


def _read_token(token: str, parts: int) -> list[str]:
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("malformed page token") from exc
    if (not isinstance(after, list) or len(after) != parts
            or not all(isinstance(part, str) for part in after)):
        raise ValueError("malformed page token")
    return [validate_tenant(after[0]), *after[1:]]


def read_page_token(token: str) -> tuple[str, str]:
    """(tenant, meeting id) after which the page starts; ValueError for anything else."""
    tenant, meeting_id = _read_token(token, 2)
    return tenant, meeting_id


def read_records_token(token: str) -> tuple[str, str, str]:
    """(tenant, kind, id) after which a page of records starts; ValueError for anything else."""
    tenant, kind, record_id = _read_token(token, 3)
    return tenant, kind, record_id


class PublicMeetingServicer(public_pb2_grpc.PublicMeetingServiceServicer):  # type: ignore[misc]
    """Serves public snapshots of meetings (only ever public data)."""

    def __init__(self, db: Database, *, rules: questions.Rules | None = None) -> None:
        self.db = db
        self.rules = rules or questions.Rules()

    async def _tenants(self, requested: str) -> list[str]:
        if requested:
            return [validate_tenant(requested)]
        async with self.db.system_session() as session:
            return list((await session.scalars(select(Tenant.id).order_by(Tenant.id))).all())

    async def _invalid(self, context: grpc.aio.ServicerContext, reason: str,
                       message: str) -> NoReturn:
        await context.abort_with_status(error_status(
            grpc.StatusCode.INVALID_ARGUMENT, reason, message, domain=DOMAIN))
        raise RuntimeError("unreachable: abort_with_status raises")

    async def ListPublicMeetings(
        self, request: public_pb2.ListPublicMeetingsRequest, context: grpc.aio.ServicerContext
    ) -> public_pb2.ListPublicMeetingsResponse:
        """One page of public snapshots of one tenant's meetings, or of every tenant's."""
        size = request.page_size or PUBLIC_MEETINGS_PAGE_DEFAULT
        if size > PUBLIC_MEETINGS_PAGE_MAX:
            await self._invalid(context, "PAGE_SIZE_TOO_LARGE",
                                f"page_size must be at most {PUBLIC_MEETINGS_PAGE_MAX}")
        try:
            tenants = await self._tenants(request.tenant)
            after = read_page_token(request.page_token) if request.page_token else None
        except ValueError as exc:
            reason = "INVALID_PAGE_TOKEN" if "token" in str(exc) else "INVALID_TENANT"
            await self._invalid(context, reason, "tenant must be a slug and page_token "
                                "one this service gave out")
        response = public_pb2.ListPublicMeetingsResponse()
        last: tuple[str, str] | None = None
        for tenant in tenants:
            if after is not None and tenant < after[0]:
                continue
            cursor = after[1] if after is not None and tenant == after[0] else None
            async with self.db.tenant_session(tenant) as session:
                while True:
                    query = select(Meeting.id).order_by(Meeting.id).limit(size + 1)
                    if cursor is not None:
                        query = query.where(Meeting.id > cursor)
                    ids = (await session.scalars(query)).all()
                    for meeting_id in ids:
                        if len(response.meetings) == size:
                            response.next_page_token = page_token(*last) if last else ""
                            return response
                        snapshot = await load_public_meeting(session, meeting_id)
                        last = cursor_at = (tenant, meeting_id)
                        if snapshot is not None:
                            response.meetings.append(snapshot)
                    if len(ids) <= size:
                        break
                    cursor = cursor_at[1]
        return response

    async def ListPublicRecords(
        self, request: public_pb2.ListPublicRecordsRequest, context: grpc.aio.ServicerContext
    ) -> public_pb2.ListPublicRecordsResponse:
        """One page of public master-data records as they are now: one town's, bounded."""
        size = request.page_size or PUBLIC_RECORDS_PAGE_DEFAULT
        if size > PUBLIC_RECORDS_PAGE_MAX:
            await self._invalid(context, "PAGE_SIZE_TOO_LARGE",
                                f"page_size must be at most {PUBLIC_RECORDS_PAGE_MAX}")
        try:
            tenants = await self._tenants(request.tenant)
            after = read_records_token(request.page_token) if request.page_token else None
        except ValueError as exc:
            reason = "INVALID_PAGE_TOKEN" if "token" in str(exc) else "INVALID_TENANT"
            await self._invalid(context, reason, "tenant must be a slug and page_token "
                                "one this service gave out")
        pending = [t for t in tenants if after is None or t >= after[0]]
        response = public_pb2.ListPublicRecordsResponse()
        for index, tenant in enumerate(pending):
            cursor = after[1:] if after is not None and tenant == after[0] else None
            async with self.db.tenant_session(tenant) as session:
                town = await town_records(session, after=cursor, limit=size + 1)
            if not town.records:
                continue  # nothing (more) of this town: on to the next, still one town a page
            if len(town.records) > size:
                del town.records[size:]
                last = town.records[-1]
                response.next_page_token = page_token(tenant, last.kind, last.id)
            elif index + 1 < len(pending):
                response.next_page_token = page_token(pending[index + 1], "", "")
            response.towns.append(town)
            break
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

    async def SubmitCitizenQuestion(
        self, request: public_pb2.SubmitCitizenQuestionRequest,
        context: grpc.aio.ServicerContext,
    ) -> public_pb2.SubmitCitizenQuestionResponse:
        """Keep a citizen's question for the clerk; refusals carry a message for the citizen."""
        lang = "en" if request.language == "en" else "de"
        try:
            tenant = validate_tenant(request.tenant)
            async with self.db.transaction(tenant) as session:
                row = await questions.submit(
                    session, meeting_id=request.meeting_id, author=request.author,
                    email=request.email, text=request.text, rules=self.rules)
                question_id = row.id
        except ValueError:
            await self._invalid(context, "INVALID_TENANT", "tenant must be a slug")
        except Problem as problem:
            code = _STATUS_OF.get(problem.status, grpc.StatusCode.INVALID_ARGUMENT)
            await context.abort_with_status(error_status(
                code, problem.code.upper().replace("-", "_"),
                problem.detail.render(lang, **problem.values), domain=DOMAIN))
            raise RuntimeError("unreachable: abort_with_status raises") from problem
        live.notify(tenant=tenant, meeting_id=request.meeting_id, kind="citizen_question",
                    data={"question_id": question_id})
        return public_pb2.SubmitCitizenQuestionResponse(question_id=question_id)
