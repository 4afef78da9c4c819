"""Builds the adapter a town or body configured, with secrets read from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ratsraum_common.outbound import OutboundPolicy, OutboundRefused, check_target, check_url
from ratsraum_meeting.config import Settings
from ratsraum_meeting.video.base import Capabilities, VideoAdapter
from ratsraum_meeting.video.bbb import BigBlueButtonAdapter
from ratsraum_meeting.video.http import ProviderHttp
from ratsraum_meeting.video.jitsi import JitsiAdapter
from ratsraum_meeting.video.teams import TeamsAdapter
from ratsraum_meeting.video.webex import WebexAdapter
from ratsraum_meeting.video.webex_spec import load_spec

# What each provider can do, known without building an adapter (background work filters by it).
CAPABILITIES: dict[str, Capabilities] = {
    "jitsi": JitsiAdapter.capabilities, "bbb": BigBlueButtonAdapter.capabilities,
    "webex": WebexAdapter.capabilities, "teams": TeamsAdapter.capabilities,
}

# Options (non-secret, in the database) and secrets (env names) each provider needs.
REQUIRED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "jitsi": (("base_url", "app_id"), ("app_secret",)),
    "bbb": (("base_url",), ("secret",)),
    "webex": ((), ("token", "webhook_secret")),
    "teams": (("azure_tenant", "client_id", "organizer_id"), ("client_secret", "client_state")),
}


class VideoConfigError(ValueError):
    """The configuration lacks an option or points at a secret we may not or cannot read."""


@dataclass(frozen=True, slots=True)
class ProviderSetup:
    """A provider with its options and the names of the environment variables of its secrets."""

    provider: str
    options: Mapping[str, Any]
    secret_env: Mapping[str, str]
    tenant: str


def town_prefix(prefix: str, tenant: str) -> str:
    """The env name prefix of one town's video secrets, e.g. RATSRAUM_VIDEO_SOEST_."""
    return prefix + re.sub(r"[^A-Z0-9]", "_", tenant.upper()) + "_"


def url_options(setup: ProviderSetup) -> dict[str, str]:
    """The options that are addresses we call or hand out (base_url, login_url, graph_url ...)."""
    return {k: str(v) for k, v in setup.options.items() if k.endswith("_url") and v}


def check_setup(setup: ProviderSetup, *, prefix: str, policy: OutboundPolicy) -> None:
    """Raise VideoConfigError if an option or secret reference is missing or not allowed."""
    if setup.provider not in REQUIRED:
        raise VideoConfigError(f"unknown provider {setup.provider!r}")
    options, secrets = REQUIRED[setup.provider]
    missing = [o for o in options if not setup.options.get(o)]
    missing += [s for s in secrets if not setup.secret_env.get(s)]
    if missing:
        raise VideoConfigError("missing: " + ", ".join(missing))
    own = town_prefix(prefix, setup.tenant)
    for name, env in setup.secret_env.items():
        # Only this town's video variables: an admin must not point us at the database password
        # or at another town's provider token.
        if not env.startswith(own) or len(env) == len(own):
            raise VideoConfigError(f"secret {name}: {env!r} does not start with {own!r}")
    for name, url in url_options(setup).items():
        try:
            check_url(url, policy=policy)
        except OutboundRefused as exc:
            raise VideoConfigError(f"{name}: {exc}") from exc


async def check_setup_hosts(setup: ProviderSetup, *, policy: OutboundPolicy) -> None:
    """Raise VideoConfigError if a URL option's host resolves to an internal address."""
    for name, url in url_options(setup).items():
        try:
            await check_target(url, policy=policy, must_resolve=False)
        except OutboundRefused as exc:
            raise VideoConfigError(f"{name}: {exc}") from exc


def _secrets(setup: ProviderSetup, env: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for name, variable in setup.secret_env.items():
        value = env.get(variable)
        if not value:
            raise VideoConfigError(f"secret {name}: environment variable {variable} is not set")
        values[name] = value
    return values


def build_adapter(
    setup: ProviderSetup, settings: Settings, *, env: Mapping[str, str] | None = None
) -> VideoAdapter:
    """The adapter for a configured provider; VideoConfigError when it cannot be built."""
    policy = settings.outbound_policy()
    check_setup(setup, prefix=settings.video_secret_env_prefix, policy=policy)
    secret = _secrets(setup, os.environ if env is None else env)
    o = setup.options

    def http(base_url: str) -> ProviderHttp:
        return ProviderHttp(base_url=base_url, timeout_seconds=settings.video_http_timeout_seconds,
                            attempts=settings.video_http_attempts, policy=policy)

    builders: dict[str, Callable[[], VideoAdapter]] = {
        "jitsi": lambda: JitsiAdapter(base_url=o["base_url"], app_id=o["app_id"],
                                      app_secret=secret["app_secret"]),
        "bbb": lambda: BigBlueButtonAdapter(
            base_url=o["base_url"], secret=secret["secret"], http=http(o["base_url"]),
            algorithm=o.get("checksum_algorithm", "sha256")),
        "webex": lambda: WebexAdapter(
            http=http(o.get("base_url", "https://webexapis.com/v1")), token=secret["token"],
            webhook_secret=secret["webhook_secret"],
            spec=load_spec(settings.video_webex_openapi),
            invitee_domain=o.get("invitee_domain", "members.ratsraum.invalid")),
        "teams": lambda: TeamsAdapter(
            graph=http(o.get("graph_url", "https://graph.microsoft.com")),
            login=http(o.get("login_url", "https://login.microsoftonline.com")),
            azure_tenant=o["azure_tenant"], client_id=o["client_id"],
            client_secret=secret["client_secret"], organizer_id=o["organizer_id"],
            client_state=secret["client_state"],
            subscription_lifetime_seconds=settings.video_subscription_lifetime_seconds),
    }
    return builders[setup.provider]()
