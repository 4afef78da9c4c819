"""Settings of the citizen portal (environment prefix PORTAL_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from ratsraum_common.natsauth import read_secret_file
from ratsraum_common.settings import ServiceSettings

SERVICE = "citizen-portal"
METRICS_PREFIX = "portal"
DB_NAME = "portal"


class Settings(ServiceSettings):
    """Portal settings; every field can be set as PORTAL_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    http_port: int = 8080
    meeting_grpc_target: str = "127.0.0.1:50052"
    meeting_grpc_timeout_seconds: float = Field(default=2.0, gt=0)
    public_base_url: str = ""
    consumer_durable: str = Field(default="portal-readmodel", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    max_sse_streams: int = Field(default=2000, ge=1)
    sse_ping_seconds: float = Field(default=15.0, gt=0)
    # Within max_sse_streams: one town's share, and one client address's (tabs, a script).
    sse_streams_per_town: int = Field(default=1000, ge=1)
    sse_streams_per_client: int = Field(default=8, ge=1)
    backfill_initial_backoff_seconds: float = Field(default=0.5, gt=0)
    backfill_max_backoff_seconds: float = Field(default=30.0, gt=0)
    # Feedback form: messages one client address may send per window.
    feedback_limit: int = Field(default=5, ge=1)
    feedback_window_seconds: float = Field(default=600.0, gt=0)
    # Citizens' questions: per network address and window; the form's length hint (meeting
    # enforces the town's own limit); a form sent faster than this is a robot's.
    question_limit: int = Field(default=5, ge=1)
    question_window_seconds: float = Field(default=3600.0, gt=0)
    question_max_chars: int = Field(default=1000, ge=50)
    question_min_seconds: float = Field(default=3.0, ge=0)
    # The town's streaming hosts (comma-separated https origins) a meeting page's player may use
    # when a stream begins while the page is open; the stream a page shows is always allowed.
    stream_origins: str = ""
    # Key that signs the question form's time stamp: PORTAL_FORM_SECRET or a file holding it
    # (PORTAL_FORM_SECRET_FILE); required in production. Without one (development, tests) each
    # process draws its own, which only works with a single replica.
    form_secret: SecretStr | None = None
    form_secret_file: Path | None = None
    # A form older than this is stale: its stamp is refused like a forged one.
    question_form_max_age_seconds: float = Field(default=86_400.0, gt=0)
    # Documents are streamed from the town's source; these bound one download.
    max_document_bytes: int = Field(default=50 * 1_048_576, ge=1)
    document_timeout_seconds: float = Field(default=20.0, gt=0)

    # Citizens' links: meeting's HTTP API, and requests one network (/24, /64) may make.
    meeting_http_url: str = "http://127.0.0.1:8082"
    meeting_http_timeout_seconds: float = Field(default=15.0, gt=0)
    citizen_link_network_limit: int = Field(default=10, ge=1)
    citizen_link_network_window_seconds: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _default_base_url(self) -> Settings:
        # Derived from the port, so a changed port needs no second setting.
        if not self.public_base_url:
            self.public_base_url = f"http://127.0.0.1:{self.http_port}"
        self.public_base_url = self.public_base_url.rstrip("/")
        return self

    @model_validator(mode="after")
    def _form_secret_in_production(self) -> Settings:
        key = self.form_key()
        if self.environment == "production" and not key:
            raise ValueError(
                "production needs PORTAL_FORM_SECRET or PORTAL_FORM_SECRET_FILE: the key that "
                "signs the question form's time stamp (the same on every replica)")
        if key and len(key) < 16:
            raise ValueError("PORTAL_FORM_SECRET is too short: use at least 16 random characters")
        return self

    def form_key(self) -> bytes:
        """The configured form key (b"" when none is set)."""
        if self.form_secret is not None:
            return self.form_secret.get_secret_value().strip().encode("utf-8")
        if self.form_secret_file is not None:
            return read_secret_file(self.form_secret_file).encode("utf-8")
        return b""

    def database(self) -> str:
        """The portal's database URL (SQLite in the data folder by default)."""
        return self.resolved_database_url(DB_NAME)


@lru_cache
def get_settings() -> Settings:
    """The process settings, read from the environment once."""
    return Settings()
