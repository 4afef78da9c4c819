"""Provider webhooks (signature-checked) and the town's video configuration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ratsraum_common.auth import Principal
from ratsraum_common.body_limit import read_body
from ratsraum_common.db import validate_tenant
from ratsraum_common.i18n import Msg
from ratsraum_common.logging import get_logger
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, require_roles
from ratsraum_meeting.jobs.video_presence import apply_events
from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.meetings.service import get_person
from ratsraum_meeting.video import service
from ratsraum_meeting.video.base import NotSupported, WebhookRejected
from ratsraum_meeting.video.models import PROVIDERS, VideoConfig, VideoIdentity
from ratsraum_meeting.video.registry import (
    ProviderSetup,
    VideoConfigError,
    check_setup,
    check_setup_hosts,
)

router = APIRouter(prefix="/api/v1/video", tags=["video"])
log = get_logger(__name__)

# Roster notifications are a few kilobytes; anything far larger is not from a provider.
WEBHOOK_MAX_BYTES = 256 * 1024
_UNKNOWN_HOOK = Msg("Diese Webhook-Adresse gibt es nicht.", "There is no such webhook address.")
_BAD_SIGNATURE = Msg(
    "Die Signatur des Webhooks ist ungültig; der Aufruf wurde verworfen.",
    "The webhook's signature is invalid; the call was discarded.",
)
_INVALID_CONFIG = Msg("Die Videokonfiguration ist ungültig: {reason}",
                      "The video configuration is invalid: {reason}")
_UNKNOWN = Msg("Dieses Gremium oder diese Person gibt es nicht (oder nicht in Ihrer Kommune).",
               "There is no such body or person (or not in your town).")


class VideoConfigIn(BaseModel):
    """A provider for the town (no body_id) or a body; secrets as environment variable names."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(pattern="^(jitsi|bbb|webex|teams)$")
    body_id: str = ""
    options: dict[str, str] = Field(default_factory=dict)
    secret_env: dict[str, str] = Field(default_factory=dict)


class VideoIdentityIn(BaseModel):
    """A member's account at a provider (Teams: Entra user id; Webex: email)."""

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(pattern="^(jitsi|bbb|webex|teams)$")
    external_id: str = Field(min_length=1, max_length=320)


Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.put("/config")
async def put_config(
    body: VideoConfigIn, principal: Admin, request: Request, db: DB
) -> VideoConfigIn:
    """Set the provider of the town or of one body (admin only)."""
    setup = ProviderSetup(body.provider, body.options, body.secret_env, tenant=principal.tenant)
    settings = request.app.state.settings
    try:
        check_setup(setup, prefix=settings.video_secret_env_prefix,
                    policy=settings.outbound_policy())
        await check_setup_hosts(setup, policy=settings.outbound_policy())
    except VideoConfigError as exc:
        raise Problem(422, "video-config-invalid", _INVALID_CONFIG, reason=str(exc)) from exc
    async with db.transaction(principal.tenant) as session:
        if body.body_id and await session.get(Body, body.body_id) is None:
            raise Problem(404, "not-found", _UNKNOWN)
        row = await session.scalar(select(VideoConfig).where(VideoConfig.body_id == body.body_id))
        if row is None:
            row = VideoConfig(body_id=body.body_id, provider=body.provider)
            session.add(row)
        row.provider, row.options, row.secret_env = body.provider, body.options, body.secret_env
    return body


@router.put("/identities/{person_id}", status_code=204)
async def put_identity(
    person_id: str, body: VideoIdentityIn, principal: Admin, db: DB
) -> None:
    """Record a member's account at a provider, so its events name the right member."""
    async with db.transaction(principal.tenant) as session:
        if await get_person(session, person_id=person_id) is None:
            raise Problem(404, "not-found", _UNKNOWN)
        row = await session.scalar(select(VideoIdentity).where(
            VideoIdentity.person_id == person_id, VideoIdentity.provider == body.provider))
        if row is None:
            session.add(VideoIdentity(person_id=person_id, provider=body.provider,
                                      external_id=body.external_id))
        else:
            row.external_id = body.external_id


@router.post("/{provider}/webhook", response_model=None)
async def webhook(provider: str, request: Request, db: DB) -> Response:
    """A provider's event: verified with the town's secret, then applied to attendance."""
    tenant, meeting_id = request.query_params.get("tenant", ""), request.query_params.get(
        "meeting", "")
    try:
        validate_tenant(tenant)
    except ValueError:
        raise Problem(404, "webhook-unknown", _UNKNOWN_HOOK) from None
    if provider not in PROVIDERS:
        raise Problem(404, "webhook-unknown", _UNKNOWN_HOOK)
    settings = request.app.state.settings
    async with db.tenant_session(tenant) as session:
        meeting = await session.get(Meeting, meeting_id)
        setup = await service.setup_for(session, body_id=meeting.body_id) if meeting else None
    if meeting is None or setup is None or setup.provider != provider:
        raise Problem(404, "webhook-unknown", _UNKNOWN_HOOK)
    # Read with a small cap, before anything is parsed: the adapter checks the signature
    # (BBB, Webex) on these raw bytes first; Graph's secret sits inside the JSON itself.
    body = await read_body(request, max_bytes=WEBHOOK_MAX_BYTES)
    query = {k: v for k, v in request.query_params.items()}
    url = service.callback_url(settings, provider=provider, tenant=tenant, meeting_id=meeting_id)
    async with service.open_adapter(setup, settings) as adapter:
        try:
            result = adapter.parse_webhook(url=url, query=query,
                                           headers=dict(request.headers), body=body)
        except NotSupported:
            raise Problem(404, "webhook-unknown", _UNKNOWN_HOOK) from None
        except WebhookRejected as exc:
            log.warning("video.webhook_rejected", provider=provider, tenant=tenant, reason=str(exc))
            raise Problem(401, "webhook-signature", _BAD_SIGNATURE) from None
    if result.reply is not None:
        return PlainTextResponse(result.reply)
    await apply_events(db, tenant=tenant, meeting_id=meeting_id, provider=provider,
                       events=result.events, voting=request.app.state.voting)
    return Response(status_code=204)
