"""Voting's own Prometheus metrics, registered in the app's ServiceMetrics registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Histogram

from ratsraum_common.metrics import ServiceMetrics


@dataclass(frozen=True, slots=True)
class VotingMetrics:
    """Counters of the ballot life cycle and gRPC latency (names prefixed `voting_`)."""

    ballots_cast: Counter
    polls_opened: Counter
    polls_closed: Counter
    grpc_duration: Histogram
    grpc_requests: Counter

    @classmethod
    def register(cls, metrics: ServiceMetrics) -> VotingMetrics:
        """Create the metrics in the app's registry."""
        return cls(
            ballots_cast=metrics.counter(
                "ballots_cast_total", "Ballots accepted (retries not counted) by vote method",
                ["method"],
            ),
            polls_opened=metrics.counter(
                "polls_opened_total", "Polls opened by vote method", ["method"]
            ),
            polls_closed=metrics.counter(
                "polls_closed_total", "Polls closed by outcome", ["outcome"]
            ),
            grpc_duration=metrics.histogram(
                "grpc_duration_seconds", "gRPC handling time by RPC method", ["method"]
            ),
            grpc_requests=metrics.counter(
                "grpc_requests_total", "gRPC calls by RPC method and status code",
                ["method", "code"],
            ),
        )
