"""Spans cost nothing to record until an exporter is attached, yet trace ids still flow."""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from ratsraum_common.telemetry import RecordWhenExported, export_spans_to


def test_without_exporter_spans_are_not_recorded_but_carry_a_trace() -> None:
    provider = TracerProvider(sampler=RecordWhenExported(ALWAYS_ON))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("request") as parent:
        assert not parent.is_recording()
        assert parent.get_span_context().is_valid  # logs get trace and span ids
        with tracer.start_as_current_span("call") as child:
            assert child.get_span_context().trace_id == parent.get_span_context().trace_id
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
    trace_id = format(parent.get_span_context().trace_id, "032x")
    assert carrier["traceparent"].split("-")[1] == trace_id  # the next service continues it


def test_once_exporting_the_configured_sampler_decides() -> None:
    sampler = RecordWhenExported(ALWAYS_ON)
    provider = TracerProvider(sampler=sampler)
    tracer = provider.get_tracer("test")  # a tracer taken before the exporter came
    exporter = InMemorySpanExporter()
    export_spans_to(provider, SimpleSpanProcessor(exporter))
    with tracer.start_as_current_span("request", kind=trace.SpanKind.SERVER) as span:
        assert span.is_recording()
    assert [s.name for s in exporter.get_finished_spans()] == ["request"]
    assert "AlwaysOnSampler" in sampler.get_description()
