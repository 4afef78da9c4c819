"""Webex Meetings over REST: create, personal join links, admit from the lobby, webhooks.

Every body we send and every body Webex answers is checked against Webex's OpenAPI
description, so a drift in their API shows up as a clear error instead of a silent misread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

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
from ratsraum_meeting.video.webex_spec import SpecViolation, WebexSpec

CAPABILITIES = Capabilities(
    personal_links=True, admission="api", presence=frozenset({"push"}),
    stream_control=False, webhooks=True, guest_removal=True,
)
# Participant states in which someone is still at the meeting (waiting or in a session).
_STILL_THERE = frozenset({"lobby", "joined", "breakoutSession"})


def signature(secret: str, body: bytes) -> str:
    """Webex's X-Spark-Signature: HMAC-SHA1 of the raw body with the webhook secret."""
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def _time(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class WebexAdapter:
    """Calls `https://webexapis.com/v1` (or a fake) with a bearer token from the environment."""

    provider = "webex"
    capabilities = CAPABILITIES

    def __init__(
        self, *, http: ProviderHttp, token: str, webhook_secret: str, spec: WebexSpec,
        invitee_domain: str = "members.ratsraum.invalid",
    ) -> None:
        self.http = http
        self.token = token
        self.webhook_secret = webhook_secret
        self.spec = spec
        self.invitee_domain = invitee_domain

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None, *, spec_path: str = ""
    ) -> Any:
        described = spec_path or path  # the path template in the description
        if body is not None:
            self.spec.check_request(method, described, body)
        response = await self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {self.token}"})
        answer = response.json() if response.content else None
        try:
            self.spec.check_response(method, described, response.status_code, answer)
        except SpecViolation as exc:
            raise VideoError(f"webex answered outside its description: {exc}") from exc
        return answer

    def email_for(self, participant: Participant) -> str:
        """The address Webex knows the member by (their own, or one naming the person id)."""
        return participant.external_id or f"{participant.person_id}@{self.invitee_domain}"

    def person_for(self, email: str) -> str:
        """The participant key back from an address we minted (unchanged otherwise)."""
        local, _, domain = email.partition("@")
        return local if domain == self.invitee_domain else email

    async def create_room(
        self, *, key: str, title: str, starts_at: datetime, ends_at: datetime, callback_url: str
    ) -> ProviderRoom:
        """POST /meetings with a lobby, then one webhook each for joined and left."""
        created = await self._call("POST", "/meetings", {
            "title": title, "start": starts_at.isoformat(), "end": ends_at.isoformat(),
            "unlockedMeetingJoinSecurity": "allowJoinWithLobby", "enabledJoinBeforeHost": False,
            "sendEmail": False,
        })
        hooks = tuple([await self._webhook(created["id"], event, callback_url)
                       for event in ("joined", "left")])
        return ProviderRoom(room_id=created["id"], join_url=created["webLink"],
                            subscriptions=hooks)

    async def _webhook(self, meeting_id: str, event: str, callback_url: str) -> Subscription:
        hook = await self._call("POST", "/webhooks", {
            "name": f"ratsraum {meeting_id} {event}", "targetUrl": callback_url,
            "resource": "meetingParticipants", "event": event,
            "filter": f"meetingId={meeting_id}", "secret": self.webhook_secret,
        })
        return Subscription(subscription_id=hook["id"], expires_at=None, topic=event)

    async def renew(
        self, *, room: ProviderRoom, subscription: Subscription, callback_url: str,
        until: datetime,
    ) -> Subscription:
        """Webex webhooks never expire, but Webex deactivates one after failed deliveries:
        reactivate it (PUT status active), or register it anew when it is gone."""
        path = f"/webhooks/{subscription.subscription_id}"
        template = "/webhooks/{webhookId}"
        try:
            hook = await self._call("GET", path, None, spec_path=template)
        except VideoError as exc:
            if exc.status != 404:
                raise
            return await self._webhook(room.room_id, subscription.topic, callback_url)
        if hook.get("status") != "active":
            await self._call("PUT", path, {
                "name": hook["name"], "targetUrl": hook["targetUrl"],
                "secret": self.webhook_secret, "status": "active"}, spec_path=template)
        return subscription

    async def join_link(self, *, room: ProviderRoom, participant: Participant) -> JoinLink:
        """POST /meetings/join: a short-lived link in the member's name."""
        email = self.email_for(participant)
        answer = await self._call("POST", "/meetings/join", {
            "meetingId": room.room_id, "email": email,
            "displayName": participant.display_name, "joinDirectly": False,
            "expirationMinutes": 15,
        })
        return JoinLink(url=answer["joinLink"], participant_key=participant.person_id,
                        personal=True)

    async def admit(self, *, room: ProviderRoom, provider_participant_id: str) -> None:
        """POST /meetingParticipants/admit for one waiting participant."""
        await self._call("POST", "/meetingParticipants/admit",
                         {"items": [{"participantId": provider_participant_id}]})

    async def remove_guest(self, *, room: ProviderRoom, participant_key: str) -> int:
        """POST /meetingParticipants/query by the guest's address, then PUT expel for each
        participant of that address still waiting or in the meeting."""
        email = self.email_for(Participant(person_id=participant_key, display_name=""))
        found = await self._call(
            "POST", "/meetingParticipants/query?" + urlencode({"meetingId": room.room_id}),
            {"emails": [email]}, spec_path="/meetingParticipants/query")
        present = [p for p in (found or {}).get("items", [])
                   if p.get("email") == email and p.get("state") in _STILL_THERE]
        for participant in present:
            await self._call("PUT", f"/meetingParticipants/{quote(str(participant['id']))}",
                             {"expel": True}, spec_path="/meetingParticipants/{participantId}")
        return len(present)

    def parse_webhook(
        self, *, url: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> WebhookResult:
        """Check X-Spark-Signature, then map meetingParticipants joined/left to presence."""
        given = headers.get("x-spark-signature", "")
        if not given or not hmac.compare_digest(given, signature(self.webhook_secret, body)):
            raise WebhookRejected("webex webhook signature mismatch")
        try:
            payload = json.loads(body)
            data = payload["data"]
            self.spec.check_schema("Participant", data)
        except (ValueError, KeyError, TypeError, SpecViolation) as exc:
            raise WebhookRejected(f"webex webhook body unreadable: {exc}") from exc
        if payload.get("resource") != "meetingParticipants":
            return WebhookResult(events=[])
        kind: PresenceKind
        if payload.get("event") == "left" or data.get("state") == "end":
            kind = "left"
        elif data.get("state") == "lobby":
            kind = "waiting"
        else:
            kind = "joined"
        at = _time(data.get("leftTime") if kind == "left" else data.get("joinedTime"))
        return WebhookResult(events=[PresenceEvent(
            room_id=str(data.get("meetingId", "")),
            participant_key=self.person_for(str(data.get("email", ""))), kind=kind, at=at,
            provider_participant_id=data.get("id"),
        )])

    async def poll_presence(self, *, room: ProviderRoom) -> list[PresenceEvent]:
        """Presence is pushed by webhooks."""
        raise NotSupported("webex pushes presence")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()
