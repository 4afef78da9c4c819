"""Identity settings (env prefix IDENTITY_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from ratsraum_common import demo
from ratsraum_common.settings import ServiceSettings

SERVICE = "identity"


class Settings(ServiceSettings):
    """Settings of the identity service; every value can be set as IDENTITY_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    http_port: int = 8081
    # Sign-in never waits for NATS at start: identity's events wait in its outbox.
    nats_startup_wait_seconds: float = Field(default=0.0, ge=0)
    issuer: str = Field(
        default="", description="Public base URL; defaults to http://127.0.0.1:<http_port>"
    )
    keys_dir: Path | None = Field(
        default=None, description="Signing keys (PEM); defaults to <data_dir>/identity-keys"
    )
    seed_demo: bool = False
    seed_files: list[Path] = Field(default_factory=list)
    # Seeded towns (the demo and benchmark files) are for trying things out: their admins and
    # clerks sign in with the password alone unless this is set. Other towns require a
    # second factor of staff from creation on.
    seed_staff_mfa_required: bool = False
    web_client_id: str = demo.WEB_CLIENT_ID
    web_redirect_uris: list[str] = Field(
        default_factory=lambda: [
            "http://127.0.0.1:8082/auth/callback",
            "http://localhost:8082/auth/callback",
        ]
    )
    # Where the web app may send people after sign-out (RP-initiated logout). Empty: the
    # origin of each redirect URI with path /auth/signed-out (meeting's signed-out page).
    web_post_logout_redirect_uris: list[str] = Field(default_factory=list)
    meeting_audience: str = demo.MEETING_AUDIENCE
    access_token_lifetime_seconds: int = Field(default=15 * 60, ge=1, le=24 * 3600)
    # Removing a passkey needs a sign-in at most this old (the token's `auth_time`): a token
    # taken from an unattended, long-signed-in browser cannot strip the account's factors.
    fresh_auth_seconds: int = Field(default=5 * 60, ge=30, le=3600)
    id_token_lifetime_seconds: int = Field(default=15 * 60, ge=1, le=24 * 3600)
    refresh_token_lifetime_seconds: int = Field(default=12 * 3600, ge=60)
    # Absolute limit of a sign-in: refresh tokens are refused this long after the password
    # (and second factor) were entered, however actively the session was used.
    session_max_seconds: int = Field(default=12 * 3600, ge=60)
    # A new signing key is generated when the current one is older than this (0: never).
    signing_key_max_age_days: int = Field(default=90, ge=0)
    authorization_code_lifetime_seconds: int = Field(default=60, ge=1, le=600)
    # Failed logins per username and client address within the window before we refuse.
    login_max_failures: int = Field(default=10, ge=1)
    # Failed logins per client address (IPv6: per /64), whatever the accounts.
    login_max_failures_per_address: int = Field(default=100, ge=1)
    # Failures of all clients together in the window above which every address that has
    # failed lately is refused (password spraying from many addresses).
    login_spray_threshold: int = Field(default=1000, ge=1)
    login_failure_window_seconds: int = Field(default=300, ge=1)
    # argon2id cost; never below OWASP's recommended minimum (m=19456 KiB, t=2, p=1).
    password_hash_memory_kib: int = Field(default=19456, ge=19456)
    password_hash_time_cost: int = Field(default=2, ge=2)
    password_hash_parallelism: int = Field(default=1, ge=1)
    # Password hashes computed at the same time (0: one per CPU core).
    password_hash_concurrency: int = Field(default=0, ge=0)
    # Fernet keys encrypting the authenticator-app secrets, newest first (comma-separated in
    # IDENTITY_TOTP_ENCRYPTION_KEYS). Production must set them; elsewhere a key is generated
    # into <data_dir>/identity-totp.key on first start.
    totp_encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    # Proxies (CIDR) whose X-Forwarded-For we believe, e.g. the cluster's ingress pods.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Invitations and password resets by mail. No SMTP host: no mail leaves; the API says
    # so ("mail": "not_sent") and the admin can send the invitation again later.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "Ratsraum <anmeldung@ratsraum.invalid>"
    invitation_lifetime_hours: int = Field(default=72, ge=1, le=24 * 30)
    password_reset_lifetime_minutes: int = Field(default=60, ge=5, le=24 * 60)
    # Lifetime of the API tokens of operators and town admins (the CLI's tokens).
    admin_token_lifetime_seconds: int = Field(default=15 * 60, ge=60, le=3600)
    # Passkeys (WebAuthn): the relying party id (a host name) and the origin the browser
    # reports. Empty: the host name and origin of the issuer URL. A passkey is bound to its
    # relying party id, so changing it makes every registered passkey unusable.
    passkey_rp_id: str = ""
    passkey_origin: str = ""
    # Federation (a town's own OpenID provider). Its issuer must use https unless this is
    # set (local stacks and tests only). The client secret of town <t> is read from the
    # environment variable IDENTITY_FEDERATION_SECRET_<T> (upper case, "-" as "_") or from
    # the file <federation_secrets_dir>/<t> (a mounted Secret); never from the database.
    federation_allow_http: bool = False
    federation_secrets_dir: Path | None = None
    federation_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # How long a person may take at the town's provider before the sign-in must start again.
    federation_attempt_seconds: int = Field(default=600, ge=60, le=3600)

    @field_validator("totp_encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        # Fernet keys are URL-safe base64, so a comma never occurs inside one.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _keys_given_in_production(self) -> Settings:
        # A key generated into one pod's scratch folder is lost on restart and differs per
        # replica: every authenticator secret would become unreadable.
        if self.environment != "production":
            return self
        if not self.totp_encryption_keys:
            raise ValueError(
                "production needs IDENTITY_TOTP_ENCRYPTION_KEYS: the Fernet keys encrypting "
                "the authenticator-app secrets (from a Secret, the same for every replica)")
        if "keys_dir" not in self.model_fields_set:
            raise ValueError(
                "production needs IDENTITY_KEYS_DIR: the folder holding the token signing keys "
                "(a mounted Secret, the same for every replica)")
        return self

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        if not self.issuer:
            self.issuer = f"http://127.0.0.1:{self.http_port}"
        self.issuer = self.issuer.rstrip("/")
        if not self.web_post_logout_redirect_uris:
            self.web_post_logout_redirect_uris = [
                f"{uri.split('/auth/callback')[0]}/auth/signed-out"
                for uri in self.web_redirect_uris if uri.endswith("/auth/callback")
            ]
        issuer_parts = urlsplit(self.issuer)
        self.passkey_rp_id = self.passkey_rp_id or issuer_parts.hostname or ""
        self.passkey_origin = (self.passkey_origin
                               or f"{issuer_parts.scheme}://{issuer_parts.netloc}").rstrip("/")
        if self.keys_dir is None:
            self.keys_dir = self.data_dir / "identity-keys"
        return self

    @property
    def signing_keys_dir(self) -> Path:
        """The folder holding the signing keys."""
        return self.keys_dir or self.data_dir / "identity-keys"

    @property
    def key_retirement_seconds(self) -> int:
        """How long a replaced signing key stays published: until its last token expired."""
        return max(self.access_token_lifetime_seconds, self.id_token_lifetime_seconds) + 120

    @property
    def secure_cookies(self) -> bool:
        """Mark cookies Secure when the issuer is served over https."""
        return self.issuer.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
