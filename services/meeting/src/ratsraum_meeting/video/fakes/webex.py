"""A Webex Meetings REST API whose answers start from the examples in Webex's description.

Every request it receives and every answer it gives is checked against the description, so
the fake cannot drift from the real API without a test failing.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ratsraum_meeting.video.fakes.server import Deliver
from ratsraum_meeting.video.webex_spec import SpecViolation, WebexSpec


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeWebex:
    """Meetings, webhooks, join links and participants in the lobby or the meeting."""

    spec: WebexSpec
    token: str
    deliver: Deliver
    base_url: str = ""
    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    participants: dict[str, dict[str, Any]] = field(default_factory=dict)
    delivered: list[int] = field(default_factory=list)
    expelled: list[str] = field(default_factory=list)  # participant ids, in order
    fail_expel: bool = False  # answer every expel with 500 (a provider fault)

    @property
    def app(self) -> Starlette:
        """The ASGI app (paths as under https://webexapis.com/v1)."""
        return Starlette(routes=[
            Route("/meetings", self._create_meeting, methods=["POST"]),
            Route("/webhooks", self._create_webhook, methods=["POST"]),
            Route("/webhooks/{id}", self._webhook, methods=["GET", "PUT"]),
            Route("/meetings/join", self._join, methods=["POST"]),
            Route("/meetingParticipants/admit", self._admit, methods=["POST"]),
            Route("/meetingParticipants/query", self._query, methods=["POST"]),
            Route("/meetingParticipants/{id}", self._update_participant, methods=["PUT"]),
            Route("/open/{token}", self._open),
        ])

    def _example(self, path: str, status: str = "200") -> dict[str, Any]:
        content = self.spec.document["paths"][path]["post"]["responses"][status]["content"]
        return copy.deepcopy(next(iter(content.values()))["example"])

    async def _body(self, request: Request, path: str) -> dict[str, Any] | Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(status_code=401)
        body = await request.json()
        try:
            self.spec.check_request("POST", path, body)
        except SpecViolation as exc:
            return JSONResponse({"message": str(exc), "errors": [], "trackingId": "fake"}, 400)
        return dict(body)

    def _answer(self, path: str, body: dict[str, Any]) -> JSONResponse:
        self.spec.check_response("POST", path, 200, body)
        return JSONResponse(body)

    async def _create_meeting(self, request: Request) -> Response:
        body = await self._body(request, "/meetings")
        if isinstance(body, Response):
            return body
        meeting = self._example("/meetings")
        meeting_id = secrets.token_hex(16)
        # Webex's own example registers questions with string ids where its schema says number.
        meeting.pop("registration", None)
        meeting.update(id=meeting_id, title=body["title"], start=body["start"], end=body["end"],
                       webLink=f"{self.base_url}/m/{meeting_id}")
        self.meetings[meeting_id] = meeting
        return self._answer("/meetings", meeting)

    async def _create_webhook(self, request: Request) -> Response:
        body = await self._body(request, "/webhooks")
        if isinstance(body, Response):
            return body
        hook = self._example("/webhooks")
        hook.update({k: body[k] for k in ("name", "targetUrl", "resource", "event", "filter")})
        hook.update(id=secrets.token_hex(8), secret=body.get("secret", ""), status="active")
        self.webhooks.append(hook)
        return self._answer("/webhooks", hook)

    def deactivate(self, hook_id: str) -> None:
        """What Webex does after repeated failed deliveries: the webhook stops firing."""
        next(h for h in self.webhooks if h["id"] == hook_id)["status"] = "inactive"

    async def _webhook(self, request: Request) -> Response:
        """GET shows a webhook; PUT may only reactivate it (and change name, URL, secret)."""
        path = "/webhooks/{webhookId}"
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(status_code=401)
        hook = next((h for h in self.webhooks if h["id"] == request.path_params["id"]), None)
        if hook is None:
            return Response(status_code=404)
        if request.method == "PUT":
            body = await request.json()
            try:
                self.spec.check_request("PUT", path, body)
            except SpecViolation as exc:
                return JSONResponse({"message": str(exc), "errors": [],
                                     "trackingId": "fake"}, 400)
            hook.update({k: body[k] for k in ("name", "targetUrl", "secret", "status")
                         if k in body})
        self.spec.check_response(request.method, path, 200, hook)
        return JSONResponse(hook)

    async def _join(self, request: Request) -> Response:
        body = await self._body(request, "/meetings/join")
        if isinstance(body, Response):
            return body
        if body.get("meetingId") not in self.meetings:
            return Response(status_code=404)
        token = secrets.token_urlsafe(16)
        self.links[token] = (body["meetingId"], body["email"], body.get("displayName", ""))
        answer = self._example("/meetings/join")
        answer.update(joinLink=f"{self.base_url}/open/{token}", startLink="", expiration=_now())
        return self._answer("/meetings/join", answer)

    async def _open(self, request: Request) -> Response:
        """The member opens their join link: they wait in the lobby."""
        found = self.links.get(request.path_params["token"])
        if found is None:
            return Response("unknown link", status_code=404)
        meeting_id, email, name = found
        participant_id = f"{meeting_id}_I_{secrets.token_hex(6)}"
        participant: dict[str, Any] = {
            "id": participant_id, "orgId": "fake-org", "host": False,
            "coHost": False, "email": email, "displayName": name, "invitee": True,
            "muted": False, "video": "on", "state": "lobby", "joinedTime": _now(),
            "meetingId": meeting_id, "hostEmail": "host@example.com", "siteUrl": "fake.webex.com",
        }
        self.participants[participant_id] = participant
        await self._emit("joined", participant)
        return Response("Sie warten im Lobbybereich.")

    async def _admit(self, request: Request) -> Response:
        body = await self._body(request, "/meetingParticipants/admit")
        if isinstance(body, Response):
            return body
        for item in body.get("items", []):
            participant = self.participants.get(str(item.get("participantId", "")))
            if participant is None or participant["state"] != "lobby":
                return Response(status_code=404)
            participant["state"] = "joined"
            await self._emit("joined", participant)
        self.spec.check_response("POST", "/meetingParticipants/admit", 204, None)
        return Response(status_code=204)

    def admit_in_client(self, participant_id: str) -> None:
        """The host lets a waiting participant in from the Webex client (no API call)."""
        self.participants[participant_id]["state"] = "joined"

    async def _query(self, request: Request) -> Response:
        """Participants of one meeting with the given addresses (live or ended)."""
        body = await self._body(request, "/meetingParticipants/query")
        if isinstance(body, Response):
            return body
        meeting_id = request.query_params.get("meetingId", "")
        if meeting_id not in self.meetings:
            return Response(status_code=404)
        emails = set(body.get("emails", []))
        items = [p for p in self.participants.values()
                 if p["meetingId"] == meeting_id and (not emails or p["email"] in emails)]
        return self._answer("/meetingParticipants/query", {"items": items})

    async def _update_participant(self, request: Request) -> Response:
        """PUT mutes, admits or expels one participant of a live meeting (expel wins)."""
        path = "/meetingParticipants/{participantId}"
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(status_code=401)
        participant = self.participants.get(request.path_params["id"])
        if participant is None:
            return Response(status_code=404)
        body = await request.json()
        try:
            self.spec.check_request("PUT", path, body)
        except SpecViolation as exc:
            return JSONResponse({"message": str(exc), "errors": [], "trackingId": "fake"}, 400)
        # The description lets the answer name only "lobby" or "joined": it shows the
        # participant as the call found them.
        answer = {k: v for k, v in participant.items() if k not in ("joinedTime", "leftTime")}
        if body.get("expel"):
            if self.fail_expel:
                return JSONResponse({"message": "fault", "errors": [],
                                     "trackingId": "fake"}, 500)
            if participant["state"] == "end":
                return Response(status_code=404)  # not in the meeting any more
            self.expelled.append(participant["id"])
            await self.leave(participant["id"])
        elif body.get("admit") and participant["state"] == "lobby":
            participant["state"] = "joined"
            await self._emit("joined", participant)
        self.spec.check_response("PUT", path, 200, answer)
        return JSONResponse(answer)

    async def leave(self, participant_id: str) -> None:
        """A participant hangs up."""
        participant = self.participants[participant_id]
        participant.update(state="end", leftTime=_now())
        await self._emit("left", participant)

    async def _emit(self, event: str, participant: dict[str, Any]) -> None:
        self.spec.check_schema("Participant", participant)
        for hook in self.webhooks:
            if hook["event"] != event or hook["filter"] != f"meetingId={participant['meetingId']}":
                continue
            if hook.get("status") != "active":
                continue
            payload = {k: hook[k] for k in ("id", "name", "targetUrl", "resource", "event",
                                            "filter")}
            payload.update(orgId="fake-org", createdBy="fake", appId="fake", ownedBy="creator",
                           status="active", created=_now(), actorId="fake", data=participant)
            body = json.dumps(payload).encode()
            signature = hmac.new(hook["secret"].encode(), body, hashlib.sha1).hexdigest()
            self.delivered.append(await self.deliver(
                hook["targetUrl"], {"content-type": "application/json",
                                    "x-spark-signature": signature}, body))
