"""How a refusal of the voting domain travels over gRPC: its status code and error domain."""

from __future__ import annotations

import grpc

from ratsraum_voting.errors import Reason

ERROR_DOMAIN = "voting.ratsraum.de"

STATUS_CODES: dict[Reason, grpc.StatusCode] = {
    Reason.POLL_NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    Reason.NOT_ON_ROLL: grpc.StatusCode.PERMISSION_DENIED,
    Reason.POLL_NOT_OPEN: grpc.StatusCode.FAILED_PRECONDITION,
    Reason.INVALID_CHOICE: grpc.StatusCode.INVALID_ARGUMENT,
    Reason.POLL_ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    Reason.INVALID_REQUEST: grpc.StatusCode.INVALID_ARGUMENT,
    Reason.IDEMPOTENCY_KEY_REUSED: grpc.StatusCode.FAILED_PRECONDITION,
    Reason.METHOD_NOT_SUPPORTED: grpc.StatusCode.UNIMPLEMENTED,
    Reason.WRONG_STATE: grpc.StatusCode.FAILED_PRECONDITION,
}
