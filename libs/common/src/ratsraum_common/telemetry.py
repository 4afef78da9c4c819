"""OpenTelemetry tracing shared by all services, and trace propagation over NATS headers."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping, Sequence

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, Sampler, SamplingResult
from opentelemetry.util.types import Attributes


class RecordWhenExported(Sampler):
    """Records spans only while they have somewhere to go.

    Without an exporter a recorded span (attributes, events, timing) is built for every
    request and call only to be thrown away. Until an exporter is attached, every span is
    non-recording but keeps a valid context, so logs still carry trace and span ids and the
    context still propagates over HTTP, gRPC and NATS. Once exporting, the configured
    sampler decides (OTEL_TRACES_SAMPLER, default: parent-based, always on).
    """

    def __init__(self, configured: Sampler) -> None:
        self.configured = configured
        self.exporting = False

    def should_sample(
        self, parent_context: otel_context.Context | None, trace_id: int, name: str,
        kind: trace.SpanKind | None = None, attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None, trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        chosen = self.configured if self.exporting else ALWAYS_OFF
        return chosen.should_sample(parent_context, trace_id, name, kind, attributes, links,
                                    trace_state)

    def get_description(self) -> str:
        state = self.configured.get_description() if self.exporting else "no exporter"
        return f"RecordWhenExported{{{state}}}"


def export_spans_to(provider: TracerProvider, processor: SpanProcessor) -> None:
    """Attach a span processor; from now on spans are recorded (as the sampler decides)."""
    provider.add_span_processor(processor)
    if isinstance(provider.sampler, RecordWhenExported):
        provider.sampler.exporting = True


def configure_tracing(service: str, *, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the process-wide tracer provider once; later calls reuse it.

    Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Without an
    exporter spans are non-recording (see RecordWhenExported): logs carry trace ids and
    context still propagates.
    """
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        if exporter is not None:
            export_spans_to(current, SimpleSpanProcessor(exporter))
        return current
    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service)})
    )
    provider.sampler = RecordWhenExported(provider.sampler)  # wraps the env-configured one
    if exporter is not None:
        export_spans_to(provider, SimpleSpanProcessor(exporter))
    elif os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    ):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        export_spans_to(provider, BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def tracer(name: str) -> trace.Tracer:
    """A tracer for the given module."""
    return trace.get_tracer(name)


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, for storing with an outbox row."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def inject_headers(headers: MutableMapping[str, str], traceparent: str | None = None) -> None:
    """Put the trace context into message headers (explicit traceparent wins)."""
    if traceparent:
        headers["traceparent"] = traceparent
    else:
        propagate.inject(headers)


def extract_context(headers: Mapping[str, str] | None) -> otel_context.Context:
    """The trace context carried by message headers."""
    return propagate.extract(dict(headers or {}))


UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def fastapi_telemetry() -> TelemetryConfig:
    """FastAPI's own OpenTelemetry settings: one server span per request, named by its route.

    FastAPI traces natively and learns the route while routing; the contrib instrumentor
    matched every request against the whole route table a second time to name its span.
    Request metrics stay with Prometheus
    and logs with structlog, so FastAPI's OTel metrics, logs and per-operation spans are off.
    """
    return {
        "tracing": True,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "exclude": lambda scope: scope.get("path") in UNTRACED_PATHS,
    }
