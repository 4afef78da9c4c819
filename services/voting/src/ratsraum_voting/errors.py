"""Refusals of the voting domain; the gRPC layer maps each reason to a status code."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a call was refused (names match ratsraum.voting.v1.ErrorReason)."""

    POLL_NOT_FOUND = "POLL_NOT_FOUND"
    NOT_ON_ROLL = "NOT_ON_ROLL"
    POLL_NOT_OPEN = "POLL_NOT_OPEN"
    INVALID_CHOICE = "INVALID_CHOICE"
    POLL_ALREADY_EXISTS = "POLL_ALREADY_EXISTS"
    INVALID_REQUEST = "INVALID_REQUEST"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    METHOD_NOT_SUPPORTED = "METHOD_NOT_SUPPORTED"
    WRONG_STATE = "WRONG_STATE"


class VotingError(Exception):
    """A refused request, with a German message the caller can show or act on."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def invalid(field: str, problem: str) -> VotingError:
    """A malformed-request refusal naming the field and what is wrong with it."""
    return VotingError(Reason.INVALID_REQUEST, f"Feld {field}: {problem}")


def wrong_state(message: str) -> VotingError:
    """A refusal because the poll is not in a state that allows the step."""
    return VotingError(Reason.WRONG_STATE, message)
