"""The adapter interface every video provider implements, and what it exchanges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

Admission = Literal["api", "client", "none"]
PresenceSource = Literal["push", "poll", "heartbeat"]
PresenceKind = Literal["waiting", "joined", "left"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a provider can do, so callers branch on facts instead of provider names."""

    personal_links: bool  # each member gets their own link (False: one shared link)
    admission: Admission  # admit from the lobby through the API, only in its client, or no lobby
    presence: frozenset[PresenceSource]  # how we learn who is connected
    stream_control: bool  # livestream start/stop through the API
    webhooks: bool  # pushes signed events to our webhook endpoint
    # removes a guest from the running meeting through the API (at the closed part)
    guest_removal: bool


@dataclass(frozen=True, slots=True)
class Subscription:
    """A provider's registration to push events to us (Graph subscription, Webex webhook)."""

    subscription_id: str
    expires_at: datetime | None  # None: it does not expire (but may be deactivated)
    topic: str = ""  # what it delivers (Webex: the event; Graph: the resource), to re-create it


@dataclass(frozen=True, slots=True)
class ProviderRoom:
    """A meeting created at the provider."""

    room_id: str
    join_url: str  # the shared join address (the personal link is minted per member)
    extra: dict[str, str] = field(default_factory=dict)
    subscriptions: tuple[Subscription, ...] = ()


@dataclass(frozen=True, slots=True)
class Participant:
    """Who a personal link is for."""

    person_id: str
    display_name: str
    moderator: bool = False
    external_id: str | None = None  # the member's account at the provider, if configured


@dataclass(frozen=True, slots=True)
class JoinLink:
    """A provider link for one member and the key its presence events will carry."""

    url: str
    participant_key: str
    personal: bool


@dataclass(frozen=True, slots=True)
class PresenceEvent:
    """A participant waiting, joining or leaving, as the provider reported it."""

    room_id: str
    participant_key: str
    kind: PresenceKind
    at: datetime
    provider_participant_id: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """Events of a verified webhook call, and a reply body where the provider expects one."""

    events: list[PresenceEvent]
    reply: str | None = None


class VideoError(RuntimeError):
    """The provider refused or could not be reached (after bounded retries)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the provider's HTTP status, where it answered at all


class NotSupported(VideoError):
    """The provider lacks this capability."""


class WebhookRejected(ValueError):
    """A webhook call whose signature or shape does not check out."""


class VideoAdapter(Protocol):
    """One video provider; every method has a deadline and bounded retries."""

    provider: str
    capabilities: Capabilities

    async def create_room(
        self, *, key: str, title: str, starts_at: datetime, ends_at: datetime, callback_url: str
    ) -> ProviderRoom:
        """Create the meeting at the provider (and register our webhook where pushed)."""
        ...

    async def join_link(self, *, room: ProviderRoom, participant: Participant) -> JoinLink:
        """Mint the provider link for one member (the shared link where not personal)."""
        ...

    async def admit(self, *, room: ProviderRoom, provider_participant_id: str) -> None:
        """Let a waiting participant in; NotSupported where only the client can."""
        ...

    async def remove_guest(self, *, room: ProviderRoom, participant_key: str) -> int:
        """Put out every participant the key stands for (lobby or meeting); returns how many
        were still there (0 again on a repeat); NotSupported where only the client can."""
        ...

    def parse_webhook(
        self, *, url: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> WebhookResult:
        """Verify a webhook call and read its presence events; WebhookRejected if forged."""
        ...

    async def poll_presence(self, *, room: ProviderRoom) -> list[PresenceEvent]:
        """Presence the provider only reports on request; NotSupported where pushed only."""
        ...

    async def renew(
        self, *, room: ProviderRoom, subscription: Subscription, callback_url: str,
        until: datetime,
    ) -> Subscription:
        """Keep a push registration alive (extend, reactivate or replace it); NotSupported
        where the provider has none."""
        ...

    async def aclose(self) -> None:
        """Release the HTTP client."""
        ...
