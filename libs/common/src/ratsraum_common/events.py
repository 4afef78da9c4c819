"""CloudEvents 1.0 envelopes for Ratsraum events, with proto-defined payloads as JSON."""

from __future__ import annotations

import builtins
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from ratsraum_common.db import validate_tenant

SPEC_VERSION = "1.0"
M = TypeVar("M", bound=Message)


def subject_for(tenant: str, service: str, event: str) -> str:
    """The NATS subject: ratsraum.<tenant>.<service>.<event>."""
    return f"ratsraum.{validate_tenant(tenant)}.{service}.{event}"


@dataclass(frozen=True, slots=True)
class Envelope:
    """A CloudEvents 1.0 event in structured JSON mode."""

    id: str
    source: str
    type: str
    subject: str
    tenant: str
    time: str
    data: dict[str, Any]
    traceparent: str | None = None

    def to_json(self) -> bytes:
        """Serialise in CloudEvents structured JSON mode."""
        body: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": "application/json",
            "tenant": self.tenant,
            "data": self.data,
        }
        if self.traceparent:
            body["traceparent"] = self.traceparent
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Envelope:
        """Parse and check the required CloudEvents attributes; raises ValueError."""
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"event is not JSON: {exc}") from exc
        if not isinstance(body, dict) or body.get("specversion") != SPEC_VERSION:
            raise ValueError("not a CloudEvents 1.0 envelope")
        missing = [k for k in ("id", "source", "type", "tenant", "data") if k not in body]
        if missing:
            raise ValueError(f"event lacks {', '.join(missing)}")
        if not isinstance(body["data"], dict):
            raise ValueError("event data is not a JSON object")
        return cls(
            id=str(body["id"]), source=str(body["source"]), type=str(body["type"]),
            subject=str(body.get("subject", "")), tenant=validate_tenant(str(body["tenant"])),
            time=str(body.get("time", "")), data=dict(body["data"]),
            traceparent=body.get("traceparent"),
        )

    def payload(self, message_type: builtins.type[M]) -> M:
        """Decode the data into its proto message type (unknown fields are tolerated)."""
        return json_format.ParseDict(self.data, message_type(), ignore_unknown_fields=True)


def make_envelope(
    *, tenant: str, service: str, event: str, payload: Message, traceparent: str | None
) -> tuple[str, Envelope]:
    """Build the envelope for a payload; returns (NATS subject, envelope)."""
    subject = subject_for(tenant, service, event)
    envelope = Envelope(
        id=str(uuid.uuid4()),
        source=f"/ratsraum/{service}",
        type=f"de.ratsraum.{service}.{event}",
        subject=subject,
        tenant=tenant,
        time=datetime.now(UTC).isoformat(),
        data=json_format.MessageToDict(payload, preserving_proto_field_name=True),
        traceparent=traceparent,
    )
    return subject, envelope
