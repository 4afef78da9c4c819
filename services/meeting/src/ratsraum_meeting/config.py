"""Settings of the meeting service (environment prefix MEETING_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

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
    seed_files: list[Path] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_jwks_url(self) -> Settings:
        # The JWKS sits under the issuer unless configured otherwise.
        if not self.oidc_jwks_url:
            self.oidc_jwks_url = f"{self.oidc_issuer.rstrip('/')}/.well-known/jwks.json"
        return self

    @property
    def database(self) -> str:
        """The database URL (SQLite in the data folder unless configured)."""
        return self.resolved_database_url(SERVICE)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
