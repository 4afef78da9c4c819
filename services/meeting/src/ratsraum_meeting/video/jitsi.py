"""Jitsi Meet with token authentication: each member's link carries a signed JWT.

Jitsi has no server API for rooms or the lobby; a room exists when its first participant
enters, admission happens in the Jitsi client, and presence comes from the member's app
heartbeat to Ratsraum.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime

from joserfc import jwt
from joserfc.jwk import OctKey

from ratsraum_meeting.video.base import (
    Capabilities,
    JoinLink,
    NotSupported,
    Participant,
    PresenceEvent,
    ProviderRoom,
    Subscription,
    WebhookResult,
)

CAPABILITIES = Capabilities(
    personal_links=True, admission="client", presence=frozenset({"heartbeat"}),
    stream_control=False, webhooks=False, guest_removal=False,
)


def room_name(key: str) -> str:
    """A Jitsi room name from our meeting key (letters, digits and hyphens only)."""
    return "ratsraum-" + re.sub(r"[^a-z0-9-]", "", key.lower())


class JitsiAdapter:
    """Mints JWT-signed room links (the prosody `token` auth of a self-hosted Jitsi)."""

    provider = "jitsi"
    capabilities = CAPABILITIES

    def __init__(
        self, *, base_url: str, app_id: str, app_secret: str, link_ttl_seconds: int = 4 * 3600
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.key = OctKey.import_key(app_secret)
        self.ttl = link_ttl_seconds

    async def create_room(
        self, *, key: str, title: str, starts_at: datetime, ends_at: datetime, callback_url: str
    ) -> ProviderRoom:
        """Jitsi creates rooms on first entry; we only fix the name."""
        name = room_name(key)
        return ProviderRoom(room_id=name, join_url=f"{self.base_url}/{name}")

    async def join_link(self, *, room: ProviderRoom, participant: Participant) -> JoinLink:
        """The room link with a JWT naming the member (and whether they moderate)."""
        now = int(time.time())
        claims = {
            "aud": "jitsi", "iss": self.app_id, "sub": self.base_url.split("://")[-1],
            "room": room.room_id, "iat": now, "nbf": now - 10, "exp": now + self.ttl,
            "context": {"user": {"id": participant.person_id,
                                 "name": participant.display_name,
                                 "moderator": participant.moderator}},
        }
        token = jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, self.key)
        return JoinLink(url=f"{room.join_url}?jwt={token}", participant_key=participant.person_id,
                        personal=True)

    async def remove_guest(self, *, room: ProviderRoom, participant_key: str) -> int:
        """Not through the API: a moderator removes guests in the provider's client."""
        raise NotSupported(
            "jitsi removes participants only from a moderator's "
            "client")

    async def admit(self, *, room: ProviderRoom, provider_participant_id: str) -> None:
        """Jitsi's lobby is handled by a moderator in the Jitsi client."""
        raise NotSupported("jitsi admits only in its client")

    def parse_webhook(
        self, *, url: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> WebhookResult:
        """Jitsi pushes nothing to us; presence comes from the app heartbeat."""
        raise NotSupported("jitsi sends no webhooks")

    async def poll_presence(self, *, room: ProviderRoom) -> list[PresenceEvent]:
        """Nothing to poll; presence comes from the app heartbeat."""
        raise NotSupported("jitsi has no presence API")

    async def renew(
        self, *, room: ProviderRoom, subscription: Subscription, callback_url: str,
        until: datetime,
    ) -> Subscription:
        """Nothing to keep alive: Jitsi pushes nothing."""
        raise NotSupported("jitsi has no push registration to renew")

    async def aclose(self) -> None:
        """Nothing to close."""
