"""Mutual TLS between our gRPC components: only clients with a certificate of our CA get in."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ratsraum_common.grpctls import MutualTls, add_port, blocking_channel
from ratsraum_devstack.testca import CertFiles, TestCA


def _mtls(files: CertFiles) -> MutualTls:
    return MutualTls(ca_file=files.ca, cert_file=files.cert, key_file=files.key)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    """The private CA of voting and its guardians."""
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    """Another CA, as an attacker inside the cluster could make one."""
    return TestCA(tmp_path_factory.mktemp("foreign"), name="Fremde CA")


@pytest.fixture(scope="module")
def address(ca: TestCA) -> Iterator[str]:
    """A health server behind mutual TLS on a free loopback port."""
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = add_port(server, "127.0.0.1:0",
                    _mtls(ca.issue("guardian", server=True, hosts=("127.0.0.1",))))
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)


def _check(channel: grpc.Channel) -> int:
    with channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=3)
        return int(reply.status)


def test_client_with_a_certificate_of_our_ca_is_served(address: str, ca: TestCA) -> None:
    """Voting's client certificate opens the channel."""
    tls = _mtls(ca.issue("voting", server=False))
    assert _check(blocking_channel(address, tls)) == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize("who", ["plaintext", "no-client-cert", "foreign-client-cert"])
def test_client_without_our_certificate_is_refused(
    address: str, ca: TestCA, foreign: TestCA, who: str
) -> None:
    """No certificate, or one from another CA, gets no answer at all."""
    if who == "plaintext":
        channel = blocking_channel(address, None)
    elif who == "no-client-cert":
        channel = grpc.secure_channel(
            address, grpc.ssl_channel_credentials(root_certificates=ca.ca_file.read_bytes()))
    else:
        intruder = foreign.issue("intruder", server=False)
        # Trusts our server, but its own certificate comes from the foreign CA.
        channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(
            root_certificates=ca.ca_file.read_bytes(),
            private_key=intruder.key.read_bytes(), certificate_chain=intruder.cert.read_bytes()))
    with pytest.raises(grpc.RpcError) as refused:
        _check(channel)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_client_does_not_talk_to_a_server_outside_our_ca(
    ca: TestCA, foreign: TestCA
) -> None:
    """A fake guardian with a foreign certificate never receives voting's call."""
    server = grpc.server(ThreadPoolExecutor(max_workers=1))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    impostor = foreign.issue("impostor", server=True, hosts=("127.0.0.1",))
    port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials(
        [(impostor.key.read_bytes(), impostor.cert.read_bytes())]))
    server.start()
    try:
        with pytest.raises(grpc.RpcError) as refused:
            _check(blocking_channel(f"127.0.0.1:{port}", _mtls(ca.issue("voting2", server=False))))
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop(None)


def test_partial_file_set_is_a_configuration_error(tmp_path: Path) -> None:
    """None of the files means plaintext; some but not all is refused at start."""
    assert MutualTls.from_files(ca_file=None, cert_file=None, key_file=None) is None
    with pytest.raises(ValueError, match="together"):
        MutualTls.from_files(ca_file=tmp_path / "ca.crt", cert_file=None, key_file=None)
