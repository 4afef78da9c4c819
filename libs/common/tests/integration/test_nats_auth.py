"""A service connects to a NATS with users, subject permissions and TLS from files and env.

The nats-server is real, started with an authorization and TLS config; the certificates come
from a throwaway CA. Each user may publish only on its own service's subjects.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.aio.client import Client as NatsClient
from pydantic_settings import SettingsConfigDict

from ratsraum_common.nats import STREAM, connect, ensure_stream
from ratsraum_common.natsauth import NatsOptions
from ratsraum_common.settings import ServiceSettings
from ratsraum_devstack.natsserver import NatsServer
from ratsraum_devstack.testca import TestCA

PASSWORDS = {"meeting": uuid.uuid4().hex, "voting": uuid.uuid4().hex, "admin": uuid.uuid4().hex}
STREAM_API = ["$JS.API.STREAM.INFO.RATSRAUM", "$JS.API.STREAM.CREATE.RATSRAUM"]


def _user(name: str, publish: list[str], subscribe: list[str]) -> str:
    quoted = ", ".join(f'"{s}"' for s in publish)
    subs = ", ".join(f'"{s}"' for s in subscribe)
    return (f'{{user: "{name}", password: ${name.upper()}_PW, permissions: '
            f"{{publish: {{allow: [{quoted}]}}, subscribe: {{allow: [{subs}]}}}}}}")


def _service_user(service: str) -> str:
    return _user(service, [f"ratsraum.*.{service}.>", *STREAM_API], [f"_INBOX.{service}.>"])


class TestService(ServiceSettings):
    """A service's settings, read from TEST_* variables like MEETING_* or VOTING_*."""

    __test__ = False
    model_config = SettingsConfigDict(env_prefix="TEST_", extra="ignore")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    """A throwaway CA with a server certificate for 127.0.0.1."""
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def server(tls: TestCA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """nats-server requiring TLS (with client certificates) and a user per service."""
    folder = tmp_path_factory.mktemp("nats-auth")
    cert = tls.issue("nats", server=True, hosts=("127.0.0.1", "localhost"))
    config = folder / "nats.conf"
    users = [_service_user("meeting"), _service_user("voting"),
             _user("admin", [">"], [">"])]
    config.write_text(
        f'tls {{ cert_file: "{cert.cert}", key_file: "{cert.key}", ca_file: "{cert.ca}", '
        "verify: true, timeout: 2 }\n"
        f"authorization {{ users: [\n  {chr(10).join(users)}\n] }}\n"
    )
    env = {f"{name.upper()}_PW": pw for name, pw in PASSWORDS.items()}
    nats_server = NatsServer(folder / "js", config=config, env=env).start()
    try:
        yield nats_server
    finally:
        nats_server.stop()


def _options(tls: TestCA, user: str, password: str) -> NatsOptions:
    client = tls.issue(f"client-{user}", server=False)
    return NatsOptions(user=user, password=password, tls_ca_file=client.ca,
                       tls_cert_file=client.cert, tls_key_file=client.key,
                       inbox_prefix=f"_INBOX.{user}")


@pytest.fixture
async def admin(server: NatsServer, tls: TestCA) -> AsyncIterator[NatsClient]:
    """A connection allowed everything, to look at the stream from outside."""
    nc = await connect(server.url, name="admin",
                       options=_options(tls, "admin", PASSWORDS["admin"]))
    await ensure_stream(nc.jetstream())
    yield nc
    await nc.close()


async def _stored(admin: NatsClient, subject: str) -> int:
    info = await admin.jetstream().stream_info(STREAM, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())


async def test_service_reads_credentials_and_tls_files_from_env(
    server: NatsServer, tls: TestCA, admin: NatsClient, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the right user and files a service publishes on its own subjects; JetStream acks."""
    client = tls.issue("client-meeting-env", server=False)
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORDS["meeting"] + "\n")  # as `kubectl create secret` leaves it
    for name, value in {
        "NATS_USER": "meeting", "NATS_PASSWORD_FILE": str(password_file),
        "NATS_TLS_CA_FILE": str(client.ca), "NATS_TLS_CERT_FILE": str(client.cert),
        "NATS_TLS_KEY_FILE": str(client.key), "NATS_INBOX_PREFIX": "_INBOX.meeting",
    }.items():
        monkeypatch.setenv(f"TEST_{name}", value)
    nc = await connect(server.url, name="meeting", options=TestService().nats_options())
    try:
        subject = f"ratsraum.t{uuid.uuid4().hex[:8]}.meeting.meeting.created"
        ack = await nc.jetstream().publish(subject, b"{}", timeout=5)
        assert ack.stream == STREAM
        assert await _stored(admin, subject) == 1
    finally:
        await nc.close()


async def test_service_is_refused_on_another_services_subjects(
    server: NatsServer, tls: TestCA, admin: NatsClient
) -> None:
    """Meeting cannot publish a voting event: the server refuses, nothing reaches the stream."""
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    options = _options(tls, "meeting", PASSWORDS["meeting"])
    nc = await nats.connect(server.url, error_cb=on_error, **options.connect_kwargs())
    try:
        forged = f"ratsraum.t{uuid.uuid4().hex[:8]}.voting.poll.closed"
        with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
            await nc.jetstream().publish(forged, b"{}", timeout=1)
        await nc.flush()
        assert any("permissions violation" in e.lower() and forged in e for e in errors)
        assert await _stored(admin, forged) == 0
        # The same connection keeps working for its own subjects.
        own = forged.replace(".voting.poll.closed", ".meeting.meeting.created")
        await nc.jetstream().publish(own, b"{}", timeout=5)
        assert await _stored(admin, own) == 1
    finally:
        await nc.close()


async def test_service_cannot_read_another_services_inbox(
    server: NatsServer, tls: TestCA
) -> None:
    """Voting may not subscribe to meeting's inbox prefix, where meeting's replies arrive."""
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    options = _options(tls, "voting", PASSWORDS["voting"])
    nc = await nats.connect(server.url, error_cb=on_error, **options.connect_kwargs())
    try:
        await nc.subscribe("_INBOX.meeting.>")
        await nc.flush()
        await asyncio.sleep(0.2)
        assert any("permissions violation for subscription" in e.lower() for e in errors)
    finally:
        await nc.close()


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"password": "wrong"}, id="wrong-password"),
        pytest.param({"tls_cert_file": None, "tls_key_file": None}, id="no-client-cert"),
        pytest.param({"tls_ca_file": None, "tls_cert_file": None, "tls_key_file": None},
                     id="no-tls"),
    ],
)
async def test_connection_without_valid_credentials_is_refused(
    server: NatsServer, tls: TestCA, broken: dict[str, object]
) -> None:
    """A wrong password, a missing client certificate or plain TCP gets no connection."""
    good = _options(tls, "meeting", PASSWORDS["meeting"])
    fields = {**good.__dict__, **broken}
    options = NatsOptions(**fields)  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017,PT011 - nats-py raises several kinds here
        await nats.connect(server.url, connect_timeout=2, max_reconnect_attempts=0,
                           allow_reconnect=False, **options.connect_kwargs())


def test_options_refuse_half_given_credentials() -> None:
    """A user without password, or a certificate without key, is a configuration error."""
    with pytest.raises(ValueError, match="together"):
        NatsOptions(user="meeting")
    with pytest.raises(ValueError, match="key"):
        NatsOptions(tls_cert_file=Path("c.pem"))
    with pytest.raises(ValueError, match="not both"):
        NatsOptions(user="m", password="p", creds_file=Path("m.creds"))
