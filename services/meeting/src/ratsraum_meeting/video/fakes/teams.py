"""Microsoft Graph for Teams meetings, after Microsoft's documented request and answer shapes.

Covers the client-credentials token, onlineMeetings, subscriptions (with the validation
handshake), call-roster change notifications and attendance reports.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ratsraum_meeting.video.fakes.server import Deliver


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class FakeGraph:
    """Online meetings, subscriptions and who was in each meeting when."""

    client_id: str
    client_secret: str
    deliver: Deliver
    tokens: set[str] = field(default_factory=set)
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    intervals: dict[str, dict[str, list[dict[str, str]]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    delivered: list[int] = field(default_factory=list)
    # Graph refuses subscriptions meant to outlive this, drops them once expired, and answers
    # the next `busy` renewals with 503 (as under load).
    max_lifetime: timedelta = timedelta(minutes=60)
    busy: int = 0

    @property
    def app(self) -> Starlette:
        """The ASGI app serving both the login and the Graph paths."""
        users = "/v1.0/users/{organizer}/onlineMeetings"
        return Starlette(routes=[
            Route("/{tenant}/oauth2/v2.0/token", self._token, methods=["POST"]),
            Route(users, self._create, methods=["POST"]),
            Route("/v1.0/subscriptions", self._subscribe, methods=["POST"]),
            Route("/v1.0/subscriptions/{id}", self._renew, methods=["PATCH"]),
            Route(users + "/{meeting}/attendanceReports", self._reports),
            Route(users + "/{meeting}/attendanceReports/{report}/attendanceRecords",
                  self._records),
        ])

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id, self.client_secret) or form.get(
                "grant_type") != "client_credentials":
            return JSONResponse({"error": "invalid_client"}, 401)
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return JSONResponse({"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization", "").removeprefix("Bearer ") in self.tokens

    async def _create(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": {"code": "InvalidAuthenticationToken"}}, 401)
        body = await request.json()
        meeting_id = "MSo" + secrets.token_urlsafe(24)
        thread = secrets.token_hex(12)
        meeting = {
            "id": meeting_id, "creationDateTime": _now(),
            "startDateTime": body["startDateTime"], "endDateTime": body["endDateTime"],
            "joinWebUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                          f"{thread}%40thread.v2/0?context=%7b%22Tid%22%3a%22fake%22%7d",
            "subject": body.get("subject", ""), "externalId": body.get("externalId"),
            "participants": {"organizer": {"identity": {"user": {
                "id": request.path_params["organizer"]}}, "role": "presenter"}},
        }
        self.meetings[meeting_id] = meeting
        self.intervals[meeting_id] = {}
        return JSONResponse(meeting, status_code=201)

    async def _subscribe(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": {"code": "InvalidAuthenticationToken"}}, 401)
        body = await request.json()
        if (refused := self._expiry_refused(body)) is not None:
            return refused
        # Graph checks the notification URL first: it must echo the validation token.
        token = secrets.token_urlsafe(12)
        url = body["notificationUrl"]
        sep = "&" if "?" in url else "?"
        status = await self.deliver(f"{url}{sep}validationToken={quote(token)}", {}, b"")
        if status != 200:
            return JSONResponse({"error": {"code": "ValidationError"}}, 400)
        subscription = {**body, "id": secrets.token_hex(16), "applicationId": self.client_id}
        self.subscriptions.append(subscription)
        return JSONResponse(subscription, status_code=201)

    def _expiry_refused(self, body: dict[str, Any]) -> Response | None:
        expiry = _parse(str(body.get("expirationDateTime", "")))
        if expiry is None or expiry > datetime.now(UTC) + self.max_lifetime + timedelta(
                seconds=5):
            return JSONResponse({"error": {"code": "InvalidRequest", "message":
                                           "Subscription expiration can only be "
                                           f"{self.max_lifetime} in the future."}}, 400)
        return None

    def live_subscriptions(self) -> list[dict[str, Any]]:
        """Subscriptions that have not expired (Graph deletes the others)."""
        now = datetime.now(UTC)
        self.subscriptions = [s for s in self.subscriptions
                              if (_parse(s["expirationDateTime"]) or now) > now]
        return self.subscriptions

    async def _renew(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": {"code": "InvalidAuthenticationToken"}}, 401)
        if self.busy > 0:
            self.busy -= 1
            return JSONResponse({"error": {"code": "ServiceUnavailable"}}, 503)
        found = next((s for s in self.live_subscriptions()
                      if s["id"] == request.path_params["id"]), None)
        if found is None:
            return JSONResponse({"error": {"code": "ResourceNotFound"}}, 404)
        body = await request.json()
        if (refused := self._expiry_refused(body)) is not None:
            return refused
        found["expirationDateTime"] = body["expirationDateTime"]
        return JSONResponse(found)

    async def roster(self, meeting_id: str, user_id: str, name: str, *, joined: bool) -> None:
        """A user enters or leaves the Teams call; subscribers get a roster update."""
        meeting = self.meetings[meeting_id]
        self.names[user_id] = name
        spans = self.intervals[meeting_id].setdefault(user_id, [])
        if joined:
            spans.append({"joinDateTime": _now()})
        elif spans:
            spans[-1]["leaveDateTime"] = _now()
        field_name = "activeParticipants@joined" if joined else "activeParticipants@exited"
        encoded = quote(meeting["joinWebUrl"], safe="")
        resource = f"communications/onlineMeetings(joinWebUrl='{encoded}')/meetingCallEvents"
        for sub in self.live_subscriptions():
            if sub["resource"] != resource:
                continue
            note = {"value": [{
                "subscriptionId": sub["id"], "clientState": sub["clientState"],
                "changeType": "updated", "resource": resource, "tenantId": "fake",
                "subscriptionExpirationDateTime": sub["expirationDateTime"],
                "resourceData": {
                    "@odata.type": "#Microsoft.Graph.onlineMeeting", "@odata.id": resource,
                    "id": resource, "eventType": "Microsoft.Communication.CallRosterUpdate",
                    "eventDateTime": _now(),
                    field_name: [{"Id": secrets.token_hex(8), "Identity": {"User": {
                        "Id": user_id, "DisplayName": name, "TenantId": "fake"}}}],
                }}]}
            self.delivered.append(await self.deliver(
                sub["notificationUrl"], {"content-type": "application/json"},
                json.dumps(note).encode()))

    async def _reports(self, request: Request) -> Response:
        meeting = self.meetings.get(request.path_params["meeting"])
        if not self._authorised(request) or meeting is None:
            return JSONResponse({"error": {"code": "NotFound"}}, 404)
        return JSONResponse({"value": [{
            "id": f"report-{meeting['id']}", "totalParticipantCount": len(
                self.intervals[meeting["id"]]),
            "meetingStartDateTime": meeting["startDateTime"],
            "meetingEndDateTime": meeting["endDateTime"]}]})

    async def _records(self, request: Request) -> Response:
        meeting_id = request.path_params["meeting"]
        if not self._authorised(request) or meeting_id not in self.meetings:
            return JSONResponse({"error": {"code": "NotFound"}}, 404)
        return JSONResponse({"value": [{
            "emailAddress": f"{user}@fake.onmicrosoft.com", "role": "Attendee",
            "totalAttendanceInSeconds": 1,
            "identity": {"id": user, "displayName": self.names.get(user, ""), "tenantId": None},
            "attendanceIntervals": spans,
        } for user, spans in self.intervals[meeting_id].items()]})
