"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ratsraum_common.housekeeping import Retention
from ratsraum_common.natsauth import DEFAULT_INBOX_PREFIX, NatsOptions, read_secret_file


class ServiceSettings(BaseSettings):
    """Common settings. Subclasses set `model_config` with their `env_prefix`.

    No secret has a default: the database URL defaults to SQLite in the data folder, and keys
    are generated into the data folder on first run by the service that needs them.
    """

    model_config = SettingsConfigDict(extra="ignore")

    data_dir: Path = Field(default=Path(".data"), description="Local data folder")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; SQLite in data_dir when unset"
    )
    nats_url: str = "nats://127.0.0.1:4222"
    # NATS credentials and TLS; all empty (the embedded stack) means anonymous and plain.
    nats_user: str = ""
    nats_password: SecretStr | None = None
    nats_password_file: Path | None = None
    nats_creds_file: Path | None = None
    nats_tls_ca_file: Path | None = None
    nats_tls_cert_file: Path | None = None
    nats_tls_key_file: Path | None = None
    # How long startup waits for NATS before the service goes on degraded (events wait in the
    # outbox, consumers start once NATS is there).
    nats_startup_wait_seconds: float = Field(default=5.0, ge=0)
    nats_inbox_prefix: str = Field(
        default=DEFAULT_INBOX_PREFIX, pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"
    )
    # Event upkeep: how often the outbox backlog is measured and old rows pruned, how long
    # delivered rows are kept, and after how many failed attempts an event is a dead letter.
    housekeeping_interval_seconds: float = Field(default=30.0, gt=0)
    outbox_retention_hours: float = Field(default=24.0, gt=0)
    processed_events_retention_days: float = Field(default=14.0, gt=0)
    event_max_attempts: int = Field(default=10, ge=1)
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_format: Literal["json", "console"] = "console"
    log_level: str = "INFO"
    environment: Literal["development", "production", "test"] = "development"
    max_request_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Larger request bodies are refused (413)")

    def nats_options(self) -> NatsOptions:
        """Credentials and TLS for this service's NATS connection (files read now)."""
        password = self.nats_password.get_secret_value() if self.nats_password else ""
        if self.nats_password_file is not None:
            password = read_secret_file(self.nats_password_file)
        return NatsOptions(
            user=self.nats_user,
            password=password,
            creds_file=self.nats_creds_file,
            tls_ca_file=self.nats_tls_ca_file,
            tls_cert_file=self.nats_tls_cert_file,
            tls_key_file=self.nats_tls_key_file,
            inbox_prefix=self.nats_inbox_prefix,
        )

    def retention(self) -> Retention:
        """How long delivered outbox rows and processed event ids are kept."""
        return Retention(published_outbox=timedelta(hours=self.outbox_retention_hours),
                         processed_events=timedelta(days=self.processed_events_retention_days))

    def sqlite_default(self, name: str) -> str:
        """The embedded default database URL for this service."""
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{name}.sqlite3').resolve()}"

    def resolved_database_url(self, name: str) -> str:
        """The configured database URL, or the embedded SQLite default."""
        return self.database_url or self.sqlite_default(name)
