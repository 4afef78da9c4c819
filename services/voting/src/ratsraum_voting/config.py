"""Settings of the voting service (environment variables prefixed VOTING_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from ratsraum_common.grpctls import MutualTls
from ratsraum_common.settings import ServiceSettings


class Settings(ServiceSettings):
    """Voting listens on gRPC for meeting and on HTTP only for health and metrics."""

    model_config = SettingsConfigDict(env_prefix="VOTING_", extra="ignore")

    # Internal only: bound to loopback unless the deployment opens it (NetworkPolicy guards it).
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    http_port: int = 8083
    grpc_grace_seconds: float = 5.0
    # Secret polls: JSON list [{"id": "vorsitz", "address": "127.0.0.1:50071"}, ...].
    guardians: str = ""
    # Mutual TLS to the guardians: the CA that signed them, voting's client certificate and key.
    guardian_tls_ca_file: Path | None = None
    guardian_tls_cert_file: Path | None = None
    guardian_tls_key_file: Path | None = None

    @model_validator(mode="after")
    def _guardians_need_tls_in_production(self) -> Settings:
        # Key shares and partial decryptions must never cross a network in plaintext.
        if self.environment == "production" and self.guardians.strip() and (
            self.guardian_tls() is None
        ):
            raise ValueError("VOTING_GUARDIANS in production needs VOTING_GUARDIAN_TLS_* files")
        return self

    def guardian_tls(self) -> MutualTls | None:
        """Mutual TLS for the guardian channels, or None (plaintext, local demo only)."""
        return MutualTls.from_files(ca_file=self.guardian_tls_ca_file,
                                    cert_file=self.guardian_tls_cert_file,
                                    key_file=self.guardian_tls_key_file)
    # The audit signing key (Ed25519, PEM), the same file for every replica (in Kubernetes a
    # Secret mounted as a file). Empty: generated into the data folder on first start.
    audit_key_file: str = ""
    # Guardians decrypt a secret poll's sum only from this many ballots on (fewer would
    # reveal how the few voted); voting refuses to close below it with a clear message.
    secret_min_ballots: int = Field(default=3, ge=1)

    @property
    def resolved_url(self) -> str:
        """The database URL (SQLite in the data folder unless VOTING_DATABASE_URL is set)."""
        return self.resolved_database_url("voting")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
