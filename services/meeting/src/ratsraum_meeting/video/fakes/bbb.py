"""A BigBlueButton with the checksum API and bbb-webhooks, after their documented examples."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ratsraum_meeting.video.fakes.server import Deliver


def _xml(**values: str) -> Response:
    body = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    return Response(f"<response>{body}</response>", media_type="text/xml")


def _failed(key: str, message: str) -> Response:
    return _xml(returncode="FAILED", messageKey=key, message=message)


@dataclass
class FakeMeeting:
    """A running BBB meeting."""

    name: str
    guest_policy: str
    hooks: list[str] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # userID -> name
    joined: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeBigBlueButton:
    """Meetings, guests waiting for a moderator, and hooks that receive signed callbacks."""

    secret: str
    deliver: Deliver
    meetings: dict[str, FakeMeeting] = field(default_factory=dict)
    delivered: list[int] = field(default_factory=list)

    @property
    def app(self) -> Starlette:
        """The ASGI app under /bigbluebutton/api."""
        return Starlette(routes=[Route("/bigbluebutton/api/{call:path}", self._api)])

    def _checked(self, call: str, request: Request) -> bool:
        raw = request.url.query
        query, _, given = raw.rpartition("&checksum=")
        expected = hashlib.sha256(f"{call}{query}{self.secret}".encode()).hexdigest()
        return hmac.compare_digest(given, expected)

    async def _api(self, request: Request) -> Response:
        call = request.path_params["call"]
        if not self._checked(call, request):
            return _failed("checksumError", "Checksums do not match")
        q = request.query_params
        if call == "create":
            self.meetings.setdefault(q["meetingID"], FakeMeeting(q["name"], q.get(
                "guestPolicy", "ALWAYS_ACCEPT")))
            return _xml(returncode="SUCCESS", meetingID=q["meetingID"],
                        internalMeetingID=f"{q['meetingID']}-1", messageKey="", message="")
        meeting = self.meetings.get(q.get("meetingID", ""))
        if meeting is None:
            return _failed("notFound", "We could not find a meeting with that meeting ID")
        if call == "hooks/create":
            meeting.hooks.append(q["callbackURL"])
            return _xml(returncode="SUCCESS", hookID=str(len(meeting.hooks)),
                        permanentHook="false", rawData="false")
        if call == "join":
            user = q["userID"]
            if q.get("guest") == "true" and meeting.guest_policy == "ASK_MODERATOR":
                meeting.waiting[user] = q["fullName"]
                return Response("Bitte warten Sie, bis ein Moderator Sie zulässt.")
            await self._joined(q["meetingID"], user, q["fullName"])
            return Response("joined")
        return _failed("unsupportedRequest", "This request is not supported.")

    async def _joined(self, meeting_id: str, user: str, name: str) -> None:
        self.meetings[meeting_id].joined[user] = name
        await self._emit(meeting_id, "user-joined", user, {"name": name, "role": "VIEWER"})

    async def approve_guest(self, meeting_id: str, user: str) -> None:
        """A moderator lets a waiting guest in from the BBB client."""
        name = self.meetings[meeting_id].waiting.pop(user)
        await self._joined(meeting_id, user, name)

    async def leave(self, meeting_id: str, user: str) -> None:
        """A participant closes the BBB tab."""
        self.meetings[meeting_id].joined.pop(user, None)
        await self._emit(meeting_id, "user-left", user, {})

    async def _emit(self, meeting_id: str, event: str, user: str, extra: dict[str, str]) -> None:
        payload = {"data": {"type": "event", "id": event, "attributes": {
            "meeting": {"internal-meeting-id": f"{meeting_id}-1",
                        "external-meeting-id": meeting_id},
            "user": {"internal-user-id": f"w_{user[:8]}", "external-user-id": user, **extra}},
            "event": {"ts": int(time.time() * 1000)}}}
        # As bbb-webhooks does: form fields in alphabetical order, checksum over URL + body.
        body = urlencode({"domain": "bbb.fake", "event": "[" + json.dumps(payload) + "]",
                          "timestamp": str(int(time.time() * 1000))})
        for hook in self.meetings[meeting_id].hooks:
            checksum = hashlib.sha256(f"{hook}{body}{self.secret}".encode()).hexdigest()
            sep = "&" if "?" in hook else "?"
            self.delivered.append(await self.deliver(
                f"{hook}{sep}checksum={checksum}",
                {"content-type": "application/x-www-form-urlencoded"}, body.encode()))
