"""Microsoft Teams through Microsoft Graph: one shared meeting link for everybody.

Presence arrives as change notifications for the meeting's call roster (checked by the
clientState secret we set on the subscription) and, after the fact, from the meeting's
attendance reports, which we poll. Members are matched by their Entra ID user id or email.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

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
    personal_links=False, admission="client", presence=frozenset({"push", "poll"}),
    stream_control=False, webhooks=True, guest_removal=False,
)
_ROSTER = {"activeParticipants@joined": "joined", "activeParticipants@exited": "left"}


def _time(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    # Graph writes up to 7 fractional digits; Python reads at most 6.
    head, _, frac = value.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac or '0')[:6]}+00:00")


def _iso(value: datetime) -> str:
    # Graph's own format: UTC with a Z.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _user_key(participant: dict[str, Any]) -> str:
    identity = participant.get("Identity") or participant.get("identity") or {}
    user = identity.get("User") or identity.get("user") or {}
    return str(user.get("Id") or user.get("id") or "")


def _roster_events(note: dict[str, Any]) -> list[PresenceEvent]:
    """Joins and exits of one roster notification (raises on a malformed shape)."""
    data = note.get("resourceData") or {}
    at = _time(data.get("eventDateTime"))
    return [
        PresenceEvent(
            room_id="",  # the callback URL names the meeting
            participant_key=_user_key(participant), kind=_kind(kind), at=at,
            provider_participant_id=participant.get("Id"),
        )
        for field, kind in _ROSTER.items() for participant in data.get(field, [])
    ]


class TeamsAdapter:
    """Graph v1.0 with an app-only token (client credentials) from the environment."""

    provider = "teams"
    capabilities = CAPABILITIES

    def __init__(
        self, *, graph: ProviderHttp, login: ProviderHttp, azure_tenant: str, client_id: str,
        client_secret: str, organizer_id: str, client_state: str,
        subscription_lifetime_seconds: float = 3600.0,
    ) -> None:
        self.graph = graph
        self.login = login
        self.azure_tenant = azure_tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.organizer_id = organizer_id
        self.client_state = client_state
        # Graph caps how long a subscription may live; we ask for no more and renew it.
        self.subscription_lifetime = timedelta(seconds=subscription_lifetime_seconds)
        self._token: tuple[str, float] | None = None

    async def _bearer(self) -> dict[str, str]:
        if self._token is None or self._token[1] < time.monotonic() + 60:
            answer = (await self.login.request(
                "POST", f"/{self.azure_tenant}/oauth2/v2.0/token", data={
                    "client_id": self.client_id, "client_secret": self.client_secret,
                    "scope": "https://graph.microsoft.com/.default",
                    "grant_type": "client_credentials",
                })).json()
            self._token = (answer["access_token"],
                           time.monotonic() + float(answer.get("expires_in", 3600)))
        return {"Authorization": f"Bearer {self._token[0]}"}

    async def _graph(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.graph.request(method, path, json=body, headers=await self._bearer())
        return response.json()

    async def create_room(
        self, *, key: str, title: str, starts_at: datetime, ends_at: datetime, callback_url: str
    ) -> ProviderRoom:
        """POST /users/{organizer}/onlineMeetings, then subscribe to its call events."""
        meeting = await self._graph("POST", f"/v1.0/users/{self.organizer_id}/onlineMeetings", {
            "subject": title, "startDateTime": starts_at.isoformat(),
            "endDateTime": ends_at.isoformat(), "externalId": key,
            "lobbyBypassSettings": {"scope": "organizer", "isDialInBypassEnabled": False},
        })
        join_url = meeting["joinWebUrl"]
        subscription = await self._subscribe(join_url, callback_url)
        return ProviderRoom(room_id=meeting["id"], join_url=join_url,
                            subscriptions=(subscription,))

    def _expiry(self) -> datetime:
        return datetime.now(UTC) + self.subscription_lifetime

    async def _subscribe(self, join_url: str, callback_url: str) -> Subscription:
        """Subscribe to the meeting's call events (Graph checks the URL with a handshake)."""
        resource = ("communications/onlineMeetings(joinWebUrl='"
                    f"{quote(join_url, safe='')}')/meetingCallEvents")
        created = await self._graph("POST", "/v1.0/subscriptions", {
            "changeType": "updated", "notificationUrl": callback_url, "resource": resource,
            "clientState": self.client_state, "expirationDateTime": _iso(self._expiry()),
        })
        return Subscription(subscription_id=created["id"],
                            expires_at=_time(created.get("expirationDateTime")), topic=resource)

    async def renew(
        self, *, room: ProviderRoom, subscription: Subscription, callback_url: str,
        until: datetime,
    ) -> Subscription:
        """PATCH the expiry forward (capped by our lifetime); subscribe anew if Graph has
        already dropped the subscription (404 after it expired)."""
        expiry = min(until, self._expiry())
        try:
            renewed = await self._graph(
                "PATCH", f"/v1.0/subscriptions/{quote(subscription.subscription_id)}",
                {"expirationDateTime": _iso(expiry)})
        except VideoError as exc:
            if exc.status != 404:
                raise
            return await self._subscribe(room.join_url, callback_url)
        return Subscription(subscription_id=subscription.subscription_id,
                            expires_at=_time(renewed.get("expirationDateTime")),
                            topic=subscription.topic)

    async def join_link(self, *, room: ProviderRoom, participant: Participant) -> JoinLink:
        """Teams has one link for the meeting; the member is known by their Entra id."""
        return JoinLink(url=room.join_url,
                        participant_key=participant.external_id or participant.person_id,
                        personal=False)

    async def remove_guest(self, *, room: ProviderRoom, participant_key: str) -> int:
        """Not through the API: a moderator removes guests in the provider's client."""
        raise NotSupported(
            "graph removes call participants only for an app that joined "
            "the call as a bot; this adapter schedules meetings only")

    async def admit(self, *, room: ProviderRoom, provider_participant_id: str) -> None:
        """The Teams lobby is handled by the organizer in the Teams client."""
        raise NotSupported("teams admits only in its client")

    def parse_webhook(
        self, *, url: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> WebhookResult:
        """Answer the validation handshake; check clientState; map roster updates."""
        if "validationToken" in query:
            return WebhookResult(events=[], reply=query["validationToken"])
        # Basic Graph notifications carry the secret (clientState) inside the JSON body instead
        # of signing it, so the body must be read before the sender is known; its size is
        # already bounded by the webhook route.
        try:
            notifications = json.loads(body)["value"]
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected("graph notification unreadable") from exc
        if not isinstance(notifications, list) or not all(
            isinstance(note, dict) for note in notifications
        ):
            raise WebhookRejected("graph notifications are not a list of objects")
        for note in notifications:
            if not hmac.compare_digest(str(note.get("clientState", "")), self.client_state):
                raise WebhookRejected("graph notification with a wrong clientState")
        try:
            events = [event for note in notifications for event in _roster_events(note)]
        except (AttributeError, TypeError, ValueError) as exc:
            raise WebhookRejected(f"graph notification malformed: {exc}") from exc
        return WebhookResult(events=events)

    async def poll_presence(self, *, room: ProviderRoom) -> list[PresenceEvent]:
        """Join and leave times from the meeting's attendance reports."""
        base = f"/v1.0/users/{self.organizer_id}/onlineMeetings/{room.room_id}/attendanceReports"
        events: list[PresenceEvent] = []
        for report in (await self._graph("GET", base))["value"]:
            records = await self._graph("GET", f"{base}/{report['id']}/attendanceRecords")
            for record in records["value"]:
                key = str((record.get("identity") or {}).get("id") or record.get("emailAddress"))
                for interval in record.get("attendanceIntervals", []):
                    events.append(PresenceEvent(room.room_id, key, "joined",
                                                _time(interval.get("joinDateTime"))))
                    if interval.get("leaveDateTime"):
                        events.append(PresenceEvent(room.room_id, key, "left",
                                                    _time(interval["leaveDateTime"])))
        return sorted(events, key=lambda e: e.at)

    async def aclose(self) -> None:
        """Close both HTTP clients."""
        await self.graph.aclose()
        await self.login.aclose()


def _kind(value: str) -> PresenceKind:
    return "joined" if value == "joined" else "left"
