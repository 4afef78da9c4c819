"""Starts nats-server, the four services and the guardians of secret votes as separate
processes, and stops them again.

Used by `make run`, the end-to-end tests and the benchmarks, so all three run the system the
same way: each service is its own process with its own SQLite file (or a PostgreSQL URL) in
one data folder, configured only through environment variables.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import httpx

from ratsraum_devstack.guardians import LocalGuardians, voting_setting
from ratsraum_devstack.mailcatcher import MailCatcher
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_devstack.ports import free_port


@dataclass(frozen=True)
class StackConfig:
    """Where everything listens and keeps its data."""

    data_dir: Path = Path(".data")
    host: str = "127.0.0.1"
    nats_port: int = 4222
    portal_port: int = 8080
    identity_port: int = 8081
    meeting_port: int = 8082
    meeting_grpc_port: int = 50052
    voting_grpc_port: int = 50051
    voting_http_port: int = 8083
    mail_port: int = 8025
    guardian_ports: tuple[int, int, int] = (50071, 50072, 50073)
    seed_demo: bool = True
    ready_timeout_seconds: float = 90.0
    log_format: str = "console"
    database_urls: Mapping[str, str] = field(default_factory=dict)
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # More than one: further meeting processes (replicas) on ports of their own, started once
    # the first is ready (it migrates and seeds); clients spread over `Stack.meeting_urls`
    # as a load balancer would. Live pushes fan out between replicas over NATS.
    meeting_replicas: int = 1
    # Signs the portal's question form; drawn for each stack, never a fixed value in the code.
    portal_form_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32),
                                    repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> StackConfig:
        """Defaults, overridden by RATSRAUM_DATA_DIR, RATSRAUM_<NAME>_PORT and friends."""
        base = cls()
        ports = {
            name: int(environ.get(f"RATSRAUM_{name.upper()}", getattr(base, name)))
            for name in ("nats_port", "portal_port", "identity_port", "meeting_port",
                         "meeting_grpc_port", "voting_grpc_port", "voting_http_port",
                         "mail_port")
        }
        return replace(
            base,
            data_dir=Path(environ.get("RATSRAUM_DATA_DIR", str(base.data_dir))),
            host=environ.get("RATSRAUM_HOST", base.host),
            meeting_replicas=int(environ.get("RATSRAUM_MEETING_REPLICAS", "1")),
            **ports,  # type: ignore[arg-type]
        )

    @classmethod
    def on_free_ports(cls, data_dir: Path, **overrides: object) -> StackConfig:
        """A config whose every port is currently free (tests, benchmarks)."""
        return cls(
            data_dir=data_dir, nats_port=free_port(), portal_port=free_port(),
            identity_port=free_port(), meeting_port=free_port(),
            meeting_grpc_port=free_port(), voting_grpc_port=free_port(),
            voting_http_port=free_port(), mail_port=free_port(),
            guardian_ports=(free_port(), free_port(), free_port()), **overrides,  # type: ignore[arg-type]
        )

    def url(self, port: int) -> str:
        """http URL on this host."""
        return f"http://{self.host}:{port}"

    @property
    def issuer(self) -> str:
        """identity's issuer URL."""
        return self.url(self.identity_port)

    @property
    def mail_dir(self) -> Path:
        """Where the demo's mail catcher keeps the mails."""
        return self.data_dir / "mails"

    @property
    def redirect_uri(self) -> str:
        """Where the web app receives the authorization code."""
        return f"{self.url(self.meeting_port)}/auth/callback"


@dataclass
class ServiceSpec:
    """How to start one service and how to tell it is ready."""

    name: str
    module: str
    env: dict[str, str]
    ready_url: str


def service_specs(config: StackConfig, nats_url: str) -> list[ServiceSpec]:
    """The four services in start order, with their environment."""
    c = config
    data = str(c.data_dir.resolve())

    def common(prefix: str, http_port: int) -> dict[str, str]:
        env = {
            f"{prefix}DATA_DIR": data,
            f"{prefix}NATS_URL": nats_url,
            f"{prefix}HTTP_HOST": c.host,
            f"{prefix}HTTP_PORT": str(http_port),
            f"{prefix}LOG_FORMAT": c.log_format,
        }
        name = prefix.rstrip("_").lower()
        if name in c.database_urls:
            env[f"{prefix}DATABASE_URL"] = c.database_urls[name]
        return env

    seed = "true" if c.seed_demo else "false"
    return [
        ServiceSpec("voting", "ratsraum_voting", {
            **common("VOTING_", c.voting_http_port),
            "VOTING_GRPC_HOST": c.host, "VOTING_GRPC_PORT": str(c.voting_grpc_port),
            "VOTING_GUARDIANS": voting_setting(c.host, c.guardian_ports),
        }, f"{c.url(c.voting_http_port)}/readyz"),
        ServiceSpec("identity", "ratsraum_identity", {
            **common("IDENTITY_", c.identity_port),
            "IDENTITY_ISSUER": c.issuer, "IDENTITY_SEED_DEMO": seed,
            "IDENTITY_WEB_REDIRECT_URIS": f'["{c.redirect_uri}"]',
        }, f"{c.issuer}/readyz"),
        ServiceSpec("meeting", "ratsraum_meeting", {
            **common("MEETING_", c.meeting_port),
            "MEETING_GRPC_HOST": c.host, "MEETING_GRPC_PORT": str(c.meeting_grpc_port),
            "MEETING_VOTING_TARGET": f"{c.host}:{c.voting_grpc_port}",
            "MEETING_OIDC_ISSUER": c.issuer,
            "MEETING_OIDC_JWKS_URL": f"{c.issuer}/.well-known/jwks.json",
            "MEETING_SEED_DEMO": seed,
            # Local fake video providers and OParl servers: http on 127.0.0.1.
            "MEETING_OUTBOUND_ALLOW_HTTP": "true", "MEETING_OUTBOUND_ALLOW_PRIVATE": "true",
            "MEETING_PUBLIC_APP_URL": c.url(c.meeting_port),
            "MEETING_PUBLIC_API_URL": c.url(c.meeting_port),
            # The local mail catcher (dev only): invitations are sent and read on /dev/mails.
            "MEETING_SMTP_HOST": c.host, "MEETING_SMTP_PORT": str(c.mail_port),
            "MEETING_SMTP_TLS": "none",
            "MEETING_DEV_MAIL_CATCHER_DIR": str(c.mail_dir.resolve()),
        }, f"{c.url(c.meeting_port)}/readyz"),
        ServiceSpec("citizen-portal", "ratsraum_portal", {
            **common("PORTAL_", c.portal_port),
            "PORTAL_MEETING_GRPC_TARGET": f"{c.host}:{c.meeting_grpc_port}",
            "PORTAL_PUBLIC_BASE_URL": c.url(c.portal_port),
            "PORTAL_FORM_SECRET": c.portal_form_secret,
        }, f"{c.url(c.portal_port)}/readyz"),
    ]


class Stack:
    """The running system. Use as a context manager; it always stops what it started."""

    def __init__(self, config: StackConfig, *, echo: bool = False) -> None:
        self.config = config
        self.echo = echo
        self.log_dir = config.data_dir / "logs"
        self.nats = NatsServer(config.data_dir / "nats", port=config.nats_port, host=config.host)
        self.mails = MailCatcher(config.mail_dir, host=config.host, port=config.mail_port)
        self.guardians = LocalGuardians(
            config.data_dir / "guardians", host=config.host, ports=config.guardian_ports,
            log_dir=self.log_dir, env={**os.environ, **config.extra_env})
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.specs: dict[str, ServiceSpec] = {}
        self.meeting_urls: list[str] = [config.url(config.meeting_port)]
        self._pumps: list[threading.Thread] = []

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start NATS and every service; return when all answer /readyz."""
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.nats.start(self.log_dir / "nats.log")
        self.mails.start()
        self.guardians.start()
        for spec in service_specs(self.config, self.nats.url):
            self.specs[spec.name] = spec
            self.start_service(spec.name)
        for name in self.specs:
            self.wait_ready(name, self.config.ready_timeout_seconds)
        self.guardians.wait_ready(self.config.ready_timeout_seconds)
        replicas = [self._meeting_replica(n) for n in range(2, self.config.meeting_replicas + 1)]
        for spec in replicas:
            self.start_service(spec.name)
        for spec in replicas:
            self.wait_ready(spec.name, self.config.ready_timeout_seconds)

    def _meeting_replica(self, number: int) -> ServiceSpec:
        """One more meeting process: the first one's environment on ports of its own."""
        first, http_port = self.specs["meeting"], free_port()
        spec = ServiceSpec(f"meeting-{number}", first.module, {
            **first.env, "MEETING_HTTP_PORT": str(http_port),
            "MEETING_GRPC_PORT": str(free_port()), "OTEL_SERVICE_NAME": "meeting",
        }, f"{self.config.url(http_port)}/readyz")
        self.specs[spec.name] = spec
        self.meeting_urls.append(self.config.url(http_port))
        return spec

    def start_service(self, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        """(Re)start one service process."""
        spec = self.specs[name]
        env = {**os.environ, **spec.env, **self.config.extra_env, **(extra_env or {})}
        env.setdefault("OTEL_SERVICE_NAME", name)
        env["PYTHONUNBUFFERED"] = "1"
        log_path = self.log_dir / f"{name}.log"
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
            [sys.executable, "-m", spec.module],
            env=env,
            stdout=subprocess.PIPE if self.echo else open(log_path, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        self.processes[name] = process
        if self.echo and process.stdout is not None:
            pump = threading.Thread(
                target=_pump, args=(name, process.stdout, log_path), daemon=True
            )
            pump.start()
            self._pumps.append(pump)

    def wait_ready(self, name: str, timeout: float = 90.0) -> None:
        """Poll /readyz until 200; raise with the log's tail if the process dies or stalls."""
        spec = self.specs[name]
        deadline = time.monotonic() + timeout
        last = ""
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                process = self.processes[name]
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}:\n{self.log_tail(name)}"
                    )
                try:
                    response = client.get(spec.ready_url)
                    if response.status_code == 200:
                        return
                    last = response.text
                except httpx.HTTPError as exc:
                    last = str(exc)
                time.sleep(0.1)
        raise TimeoutError(f"{name} not ready after {timeout}s ({last}):\n{self.log_tail(name)}")

    def kill_service(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal one service (SIGKILL by default, as a crash would) and wait for it."""
        process = self.processes[name]
        process.send_signal(sig)
        process.wait(30)

    def stop(self) -> None:
        """Stop services in reverse order, then NATS; kill what does not stop in time."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self.guardians.stop()
        self.nats.stop()
        self.mails.stop()

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The last lines a service wrote."""
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def urls(self) -> dict[str, str]:
        """The addresses a person opens."""
        c = self.config
        return {
            "Ratsraum – hier anmelden (sign in here)": c.url(c.meeting_port),
            "Demo-Postfach (caught mails, dev only)": f"{c.url(c.meeting_port)}/dev/mails",
            "Bürgerportal (citizen portal)": c.url(c.portal_port),
            "Anmeldung (identity, OpenID Connect)": c.issuer,
            "Sitzungsdienst-API (meeting API docs)": f"{c.url(c.meeting_port)}/api/v1/docs",
            "Abstimmung (voting health/metrics, loopback only)": c.url(c.voting_http_port),
            "NATS": self.nats.url,
        }


def _pump(name: str, stream: IO[bytes], log_path: Path) -> None:
    width = 15
    with open(log_path, "ab") as log:
        for raw in iter(stream.readline, b""):
            log.write(raw)
            log.flush()
            line = raw.decode(errors="replace").rstrip()
            sys.stdout.write(f"{name:<{width}}| {line}\n")
            sys.stdout.flush()
