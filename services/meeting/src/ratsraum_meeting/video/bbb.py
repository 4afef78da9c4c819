"""BigBlueButton: the checksum API (create, join, hooks/create) and bbb-webhooks callbacks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree

from ratsraum_meeting.video.base import (
    Capabilities,
    JoinLink,
    NotSupported,
    Participant,
    PresenceEvent,
    PresenceKind,
    ProviderRoom,
    Subscription,
    VideoError,
    WebhookRejected,
    WebhookResult,
)
from ratsraum_meeting.video.http import ProviderHttp

CAPABILITIES = Capabilities(
    personal_links=True, admission="client", presence=frozenset({"push"}),
    stream_control=False, webhooks=True, guest_removal=False,
)
_KINDS: dict[str, PresenceKind] = {"user-joined": "joined", "user-left": "left"}


def checksum(call: str, query: str, secret: str, algorithm: str = "sha256") -> str:
    """BBB's API checksum: hash(call name + query string + shared secret)."""
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


def _presence(item: Any) -> list[PresenceEvent]:
    """The presence event of one bbb-webhooks item, if it is a join or leave (raises when the
    item is malformed)."""
    data = item.get("data", {})
    kind = _KINDS.get(data.get("id", ""))
    if kind is None:
        return []
    attrs = data.get("attributes", {})
    user = attrs.get("user", {})
    ts = data.get("event", {}).get("ts", 0)
    return [PresenceEvent(
        room_id=str(attrs.get("meeting", {}).get("external-meeting-id", "")),
        participant_key=str(user.get("external-user-id", "")), kind=kind,
        at=datetime.fromtimestamp(ts / 1000, UTC),
        provider_participant_id=user.get("internal-user-id"),
    )]


class BigBlueButtonAdapter:
    """Talks to `<base>/api/<call>?<query>&checksum=...`; reads XML answers."""

    provider = "bbb"
    capabilities = CAPABILITIES

    def __init__(
        self, *, base_url: str, secret: str, http: ProviderHttp, algorithm: str = "sha256"
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.http = http
        self.algorithm = algorithm

    def signed_url(self, call: str, params: dict[str, str]) -> str:
        """The full URL of an API call with its checksum."""
        query = urlencode(params)
        return f"{self.base_url}/api/{call}?{query}&checksum=" + checksum(
            call, query, self.secret, self.algorithm)

    async def _call(self, call: str, params: dict[str, str]) -> ElementTree.Element:
        response = await self.http.request("GET", self.signed_url(call, params))
        # Only the town's own BBB answers here, over the checksum API; expat limits expansion.
        root = ElementTree.fromstring(response.text)  # noqa: S314
        if root.findtext("returncode") != "SUCCESS":
            raise VideoError(f"bbb {call}: {root.findtext('messageKey')} "
                             f"{root.findtext('message')}")
        return root

    async def create_room(
        self, *, key: str, title: str, starts_at: datetime, ends_at: datetime, callback_url: str
    ) -> ProviderRoom:
        """create (guests wait for a moderator), then hooks/create for this meeting."""
        await self._call("create", {
            "meetingID": key, "name": title, "guestPolicy": "ASK_MODERATOR",
            "meta_ratsraum": "1",
        })
        await self._call("hooks/create", {"callbackURL": callback_url, "meetingID": key})
        return ProviderRoom(room_id=key, join_url=f"{self.base_url}/api/join")

    async def join_link(self, *, room: ProviderRoom, participant: Participant) -> JoinLink:
        """A signed join URL with our person id as BBB's userID (events carry it back)."""
        url = self.signed_url("join", {
            "fullName": participant.display_name, "meetingID": room.room_id,
            "role": "MODERATOR" if participant.moderator else "VIEWER",
            "userID": participant.person_id,
            "guest": "false" if participant.moderator else "true", "redirect": "true",
        })
        return JoinLink(url=url, participant_key=participant.person_id, personal=True)

    async def remove_guest(self, *, room: ProviderRoom, participant_key: str) -> int:
        """Not through the API: a moderator removes guests in the provider's client."""
        raise NotSupported(
            "bbb has no API call that removes one participant; only end, "
            "which ends the meeting for everyone")

    async def admit(self, *, room: ProviderRoom, provider_participant_id: str) -> None:
        """BBB's guest lobby is approved by a moderator in the client."""
        raise NotSupported("bbb admits guests only in its client")

    def parse_webhook(
        self, *, url: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> WebhookResult:
        """Check hash(callbackURL + body + secret), then read user-joined/left events."""
        given = query.get("checksum", "")
        expected = hashlib.new(
            self.algorithm, url.encode() + body + self.secret.encode()).hexdigest()
        if not given or not hmac.compare_digest(given, expected):
            raise WebhookRejected("bbb webhook checksum mismatch")
        try:
            form = dict(parse_qsl(body.decode()))
            raw = json.loads(form["event"])
        except (KeyError, ValueError) as exc:
            raise WebhookRejected("bbb webhook without events") from exc
        try:
            events = [event for item in (raw if isinstance(raw, list) else [raw])
                      for event in _presence(item)]
        except (AttributeError, TypeError, ValueError, OverflowError, OSError) as exc:
            # Signed by the town's server, yet not in the shape bbb-webhooks sends.
            raise WebhookRejected(f"bbb webhook malformed: {exc}") from exc
        return WebhookResult(events=events)

    async def poll_presence(self, *, room: ProviderRoom) -> list[PresenceEvent]:
        """Presence is pushed by bbb-webhooks."""
        raise NotSupported("bbb pushes presence")

    async def renew(
        self, *, room: ProviderRoom, subscription: Subscription, callback_url: str,
        until: datetime,
    ) -> Subscription:
        """Nothing to keep alive: a BBB hook lives as long as its meeting."""
        raise NotSupported("bbb has no push registration to renew")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()
