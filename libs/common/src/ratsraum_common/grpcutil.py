"""gRPC servers and channels with health, tracing, deadlines and rich error details."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from opentelemetry.instrumentation.grpc import aio_client_interceptors, aio_server_interceptor

DEFAULT_DEADLINE_SECONDS = 5.0
# gRPC core sheds calls the application has not picked up yet once more than 1,000 wait (up to
# all beyond 3,000), as CANCELLED; a burst of a council's casts must queue, not be dropped.
MAX_PENDING_REQUESTS = 10_000


async def start_server(
    *,
    host: str,
    port: int,
    register: Callable[[grpc.aio.Server], None],
    service_names: Iterable[str],
) -> tuple[grpc.aio.Server, int]:
    """Start a traced aio server with the standard health service; returns (server, port)."""
    server = grpc.aio.server(
        interceptors=[aio_server_interceptor()],
        options=[("grpc.server.max_pending_requests", MAX_PENDING_REQUESTS),
                 ("grpc.server.max_pending_requests_hard_limit", 2 * MAX_PENDING_REQUESTS)],
    )
    register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot bind gRPC to {host}:{port}")
    await server.start()
    for name in [*service_names, ""]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, bound


def channel(target: str, *, max_receive_bytes: int | None = None) -> grpc.aio.Channel:
    """A traced client channel; callers pass `timeout=` (a deadline) on every call.

    `max_receive_bytes` raises gRPC's 4 MB default for answers known to be large.
    """
    options: list[tuple[str, int]] = [
        ("grpc.enable_retries", 1), ("grpc.keepalive_time_ms", 30_000)]
    if max_receive_bytes is not None:
        options.append(("grpc.max_receive_message_length", max_receive_bytes))
    return grpc.aio.insecure_channel(target, interceptors=aio_client_interceptors(),
                                     options=options)


def error_status(
    code: grpc.StatusCode, reason: str, message: str, *, domain: str
) -> grpc.Status:
    """A status carrying google.rpc.ErrorInfo, so callers can act on the reason."""
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.ErrorInfo(reason=reason, domain=domain))
    status = status_pb2.Status(
        code=getattr(code_pb2, code.name), message=message, details=[detail]
    )
    return rpc_status.to_status(status)


def error_reason(exc: grpc.aio.AioRpcError) -> str | None:
    """The ErrorInfo reason of a failed call, if the server sent one."""
    status = rpc_status.from_call(exc)
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return str(info.reason)
    return None


async def check_serving(target_channel: grpc.aio.Channel, service: str = "") -> None:
    """Raise unless the remote health service says SERVING (readiness)."""
    stub = health_pb2_grpc.HealthStub(target_channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2.0)
    if response.status != health_pb2.HealthCheckResponse.SERVING:
        raise ConnectionError(f"{service or 'server'} is not serving")
