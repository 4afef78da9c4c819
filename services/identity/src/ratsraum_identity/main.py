"""Builds the identity app; `main()` reads settings and serves. Nothing runs at import."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from ratsraum_common.app import create_app
from ratsraum_common.auth import TokenVerifier
from ratsraum_common.consumer_guard import cancel_and_wait
from ratsraum_common.db import Database
from ratsraum_common.housekeeping import OutboxGauges, run_housekeeping
from ratsraum_common.logging import get_logger
from ratsraum_common.natslink import NatsLink
from ratsraum_common.outbox import OutboxRelay
from ratsraum_common.secret_box import SecretBox
from ratsraum_common.serve import serve_service
from ratsraum_identity.accounts.passkeys import RelyingParty
from ratsraum_identity.accounts.passwords import Passwords
from ratsraum_identity.accounts.ratelimit import LoginLimiter
from ratsraum_identity.accounts.seed import seed_demo, seed_files
from ratsraum_identity.api import (
    account_links,
    account_pages,
    admin_auth,
    audit_and_settings,
    authorize,
    federation_admin,
    federation_login,
    logout,
    my_passkeys,
    my_second_factor,
    oidc,
    operator,
    operator_pages,
    passkeys,
    town_admin,
    town_admin_more_pages,
    town_admin_pages,
    town_import,
)
from ratsraum_identity.api.admin_common import install_admin_problems
from ratsraum_identity.api.client_address import parse_networks
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.base import OutboxMessage
from ratsraum_identity.config import SERVICE, Settings, get_settings
from ratsraum_identity.keys.keystore import KeyStore
from ratsraum_identity.mail import Mailer
from ratsraum_identity.oauth.server import IdentityAuthorizationServer
from ratsraum_identity.web.admin_render import ASSETS

MIGRATIONS = Path(__file__).parent / "migrations"
log = get_logger(__name__)


def _allow_plain_http(settings: Settings) -> None:
    # Authlib refuses non-https URLs except loopback; a dev setup may use an http host name.
    # Production requires an https issuer (checked here), so this never relaxes production.
    if settings.issuer.startswith("http://"):
        if settings.environment == "production":
            raise ValueError("IDENTITY_ISSUER must use https in production")
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")


def build_app(settings: Settings) -> FastAPI:
    """The identity app for these settings (database and keys are opened on startup)."""
    _allow_plain_http(settings)
    db = Database(settings.resolved_database_url(SERVICE))
    passwords = Passwords(memory_kib=settings.password_hash_memory_kib,
                          time_cost=settings.password_hash_time_cost,
                          parallelism=settings.password_hash_parallelism,
                          concurrency=settings.password_hash_concurrency or os.cpu_count() or 2)
    keystore = KeyStore(settings.signing_keys_dir,
                        retire_after_seconds=settings.key_retirement_seconds,
                        max_age_seconds=settings.signing_key_max_age_days * 86400)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await db.migrate(MIGRATIONS)
        await anyio.to_thread.run_sync(keystore.ensure)
        mfa = settings.seed_staff_mfa_required
        if settings.seed_demo:
            await seed_demo(db, data_dir=settings.data_dir, staff_mfa_required=mfa,
                            passwords=passwords)
        await seed_files(db, settings.seed_files, data_dir=settings.data_dir,
                         staff_mfa_required=mfa, passwords=passwords)
        # Sign-in never waits for NATS: events (deactivations, suspensions) wait in the outbox.
        link = NatsLink(settings.nats_url, name=SERVICE, options=settings.nats_options())
        relay = OutboxRelay(db=db, model=OutboxMessage, js=link.js,
                            connected=lambda: link.connected)
        relay_task = asyncio.create_task(relay.run(), name="outbox-relay")
        upkeep = asyncio.create_task(run_housekeeping(
            db=db, outbox=OutboxMessage, processed=None, gauges=outbox_gauges,
            retention=settings.retention(),
            interval_seconds=settings.housekeeping_interval_seconds), name="housekeeping")

        async def wake() -> None:
            relay.wake()

        link.on_connect("outbox", wake)
        await link.start(wait_seconds=settings.nats_startup_wait_seconds)
        readiness.add("nats", link.check, degrades=True)
        log.info("identity.started", issuer=settings.issuer)
        try:
            yield
        finally:
            await cancel_and_wait(upkeep)
            await cancel_and_wait(relay_task)
            await link.close()
            await db.dispose()

    app, metrics, readiness = create_app(
        service=SERVICE, title="Ratsraum identity", lifespan=lifespan,
        max_body_bytes=settings.max_request_body_bytes,
    )
    readiness.add("database", db.ping)
    outbox_gauges = OutboxGauges.register(metrics)

    async def local_jwks(_url: str) -> dict[str, Any]:
        return keystore.jwks()

    # /userinfo checks access tokens with the same verifier every other service uses.
    app.state.token_verifier = TokenVerifier(
        issuer=settings.issuer, audience=settings.meeting_audience,
        jwks_url=f"{settings.issuer}/.well-known/jwks.json", fetch=local_jwks,
        refresh_cooldown_seconds=0,
    )
    app.state.identity = Identity(
        settings=settings, db=db, keystore=keystore,
        server=IdentityAuthorizationServer(settings=settings, db=db, keystore=keystore),
        passwords=passwords,
        secrets=(SecretBox([k.get_secret_value() for k in settings.totp_encryption_keys])
                 if settings.totp_encryption_keys
                 else SecretBox.from_file(settings.data_dir / "identity-totp.key")),
        limiter=LoginLimiter(max_failures=settings.login_max_failures,
                             window_seconds=settings.login_failure_window_seconds,
                             max_failures_per_address=settings.login_max_failures_per_address,
                             spray_threshold=settings.login_spray_threshold),
        # Wrong second-factor codes per account: reaching this step needs the password, so
        # an outsider cannot use it to lock a person out.
        mfa_limiter=LoginLimiter(max_failures=5, window_seconds=300),
        # Reset mails per address and client: a few per quarter hour, so nobody floods a box.
        reset_limiter=LoginLimiter(max_failures=3, window_seconds=900,
                                   max_failures_per_address=30),
        trusted_proxies=parse_networks(settings.trusted_proxies),
        logins=metrics.counter("logins_total", "Login attempts by result", ["result"]),
        mailer=Mailer(settings),
        relying_party=RelyingParty(rp_id=settings.passkey_rp_id, origin=settings.passkey_origin),
    )
    app.include_router(oidc.router)
    app.include_router(authorize.router)
    app.include_router(passkeys.router)
    app.include_router(my_passkeys.router)
    app.include_router(my_second_factor.router)
    app.include_router(logout.router)
    app.include_router(admin_auth.router)
    app.include_router(operator.router)
    app.include_router(town_import.router)  # before town_admin: /accounts/import is literal
    app.include_router(town_admin.router)
    app.include_router(account_links.router)
    app.include_router(audit_and_settings.router)
    app.include_router(federation_admin.router)
    app.include_router(federation_login.router)
    # The pages of town admins and operators, with their stylesheet (built by make install).
    # The sign-in pages share the stylesheet under a neutral path; the admin pages keep theirs.
    app.mount("/assets", StaticFiles(directory=ASSETS, check_dir=False), name="assets")
    app.mount("/admin/assets", StaticFiles(directory=ASSETS, check_dir=False), name="admin-assets")
    app.include_router(town_admin_pages.router)
    app.include_router(town_admin_more_pages.router)
    app.include_router(operator_pages.router)
    app.include_router(account_pages.router)
    install_admin_problems(app)
    return app


def main() -> None:
    """Run the identity service until stopped."""
    # Authlib logs issued tokens at DEBUG; never let them reach the log, whatever the level.
    logging.getLogger("authlib").setLevel(logging.INFO)
    serve_service(SERVICE, get_settings(), build_app)
