"""Settings of the meeting service (environment prefix MEETING_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from ratsraum_common.outbound import OutboundPolicy
from ratsraum_common.settings import ServiceSettings

SERVICE = "meeting"


class Settings(ServiceSettings):
    """Meeting settings; every field can be set as MEETING_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="MEETING_", extra="ignore")

    http_port: int = 8082
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50052
    voting_target: str = "127.0.0.1:50051"
    voting_deadline_seconds: float = 5.0
    oidc_issuer: str = "http://127.0.0.1:8081"
    oidc_jwks_url: str = ""
    oidc_audience: str = "ratsraum-meeting"
    seed_demo: bool = False
    # Citizens' question time: the town's longest question, and how many hours before the
    # meeting's start submissions close (0: open until the question-time item begins).
    citizen_question_max_chars: int = Field(default=1000, ge=50, le=10_000)
    citizen_question_hours_before: int = Field(default=0, ge=0, le=24 * 30)
    seed_files: list[Path] = Field(default_factory=list)
    # An OParl import runs within the request; past this it stops and reports what it has.
    oparl_timeout_seconds: float = 300.0
    # One OParl response larger than this stops the import with a report entry.
    oparl_max_response_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    # Calls to addresses an admin or an OParl server named (video providers, OParl): https to
    # public hosts only. Dev stacks and tests with local fakes allow http / internal hosts.
    outbound_allow_http: bool = False
    outbound_allow_private: bool = False
    # Invitations by email. No SMTP host: sending is refused with a problem, nothing is lost.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Ratsraum Sitzungsdienst <sitzungsdienst@ratsraum.invalid>"
    # Base of the members' web app; personal links are {public_app_url}/sitzungen/{id}?einladung=
    public_app_url: str = "http://127.0.0.1:8082"
    # The web app signs people in at identity as this public client (code flow with PKCE);
    # identity must list {public_app_url}/auth/callback among its redirect URIs.
    web_client_id: str = "ratsraum-web"
    web_session_hours: float = Field(default=12.0, gt=0, le=24 * 7)
    # Fernet keys sealing the sessions' refresh tokens at rest, newest first (a key rotates in
    # ahead of the old one): MEETING_WEB_SESSION_KEYS (comma-separated) or a file with one key
    # per line. Production must set one; elsewhere the first start generates
    # <data_dir>/web-session.key.
    web_session_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    web_session_keys_file: Path | None = None
    # Dev only: a page listing the mails the local mail catcher received (make run).
    dev_mail_catcher_dir: Path | None = None
    # Citizens' links: the portal's base (mails link to its pages) and the request limits.
    public_portal_url: str = "http://127.0.0.1:8080"
    citizen_links_per_address: int = Field(default=3, ge=1)  # per meeting
    citizen_links_per_network: int = Field(default=20, ge=1)  # per network and 24 hours
    # Callers (the portal) whose X-Citizen-Address names the citizen they forward; anyone
    # else is counted by their own address.
    citizen_link_forwarders: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    # Video: where providers call our webhooks; secrets only from env names with this prefix.
    public_api_url: str = "http://127.0.0.1:8082"
    # A town may only name variables <prefix><TOWN>_..., TOWN its id upper-cased (see registry).
    video_secret_env_prefix: str = "RATSRAUM_VIDEO_"  # noqa: S105 - a name prefix, no secret
    video_http_timeout_seconds: float = 5.0
    video_http_attempts: int = 3
    video_webex_openapi: Path | None = None
    # Polled presence (Teams attendance reports) of running meetings, every this often.
    video_presence_poll_interval_seconds: float = 60.0
    # Push registrations: Graph subscriptions live this long and are renewed this long before
    # they expire; Webex webhooks are checked (and reactivated) on the same round.
    video_subscription_lifetime_seconds: float = 3600.0
    video_subscription_renew_margin_seconds: float = 600.0
    video_subscription_check_interval_seconds: float = 120.0
    video_subscription_renew_attempts: int = 3
    # A remote member whose app sends no heartbeat for this long counts as having left.
    lobby_heartbeat_timeout_seconds: float = 30.0
    lobby_sweep_interval_seconds: float = 5.0
    # Access revocations (from identity's events) are kept this long after the moment they
    # void tokens before: at least the longest lifetime of a token meeting accepts (identity
    # caps access tokens at 24 h) plus the verifier's 30 s leeway. A suspended town's row
    # stays while it is suspended, however old.
    access_revocation_retention_hours: float = Field(default=25.0, ge=1)
    # Clerk actions need a sign-in with a second factor (`amr`). Unset: required in
    # production, not in development and tests (the demo accounts have no authenticator).
    clerk_mfa_required: bool | None = None
    # Live (SSE) streams per replica: a member's tabs and devices, and all of one town's.
    live_streams_per_user: int = Field(default=4, ge=1)
    live_streams_per_town: int = Field(default=400, ge=1)

    @model_validator(mode="after")
    def _default_jwks_url(self) -> Settings:
        # The JWKS sits under the issuer unless configured otherwise.
        if not self.oidc_jwks_url:
            self.oidc_jwks_url = f"{self.oidc_issuer.rstrip('/')}/.well-known/jwks.json"
        return self

    @field_validator("web_session_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        # Fernet keys are URL-safe base64, so a comma never occurs inside one.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _session_keys_in_production(self) -> Settings:
        if (self.environment == "production" and not self.web_session_keys
                and self.web_session_keys_file is None):
            raise ValueError(
                "production needs MEETING_WEB_SESSION_KEYS or MEETING_WEB_SESSION_KEYS_FILE: "
                "the key that seals the web sessions' refresh tokens at rest")
        return self

    def web_session_key_list(self) -> list[str]:
        """The configured session keys, newest first (empty: generate one, not in production)."""
        if self.web_session_keys:
            return [k.get_secret_value() for k in self.web_session_keys]
        if self.web_session_keys_file is not None:
            lines = self.web_session_keys_file.read_text(encoding="ascii").splitlines()
            return [line.strip() for line in lines if line.strip()]
        return []

    @property
    def clerk_needs_mfa(self) -> bool:
        """Whether clerk actions refuse a sign-in without a second factor."""
        if self.clerk_mfa_required is None:
            return self.environment == "production"
        return self.clerk_mfa_required

    @property
    def database(self) -> str:
        """The database URL (SQLite in the data folder unless configured)."""
        return self.resolved_database_url(SERVICE)

    def outbound_policy(self) -> OutboundPolicy:
        """What outgoing calls to admin-chosen addresses may reach."""
        return OutboundPolicy(allow_http=self.outbound_allow_http,
                              allow_private=self.outbound_allow_private)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
