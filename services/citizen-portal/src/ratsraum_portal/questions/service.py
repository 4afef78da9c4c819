"""A citizen's question from the form to meeting: robot traps first, meeting decides the rest."""

from __future__ import annotations

import time
from dataclasses import dataclass

import grpc

from ratsraum.meeting.v1 import public_pb2
from ratsraum_portal.meetings.backfill import MeetingClient
from ratsraum_portal.questions.stamp import shown_at

# The hidden field a person never fills (robots fill every field they find).
HONEYPOT = "webseite"
# When the form was shown, signed (stamp.py); a robot sends it back at once or makes one up.
SHOWN_AT = "angezeigt"


@dataclass(frozen=True, slots=True)
class QuestionInput:
    """What the form sent, trimmed."""

    author: str
    email: str
    text: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for the citizen: sent, or an HTTP status with a message to show."""

    sent: bool
    status: int = 200
    message: str = ""
    key: str = ""  # a catalogue key when the portal itself words the message


def caught_by_honeypot(honeypot: str) -> bool:
    """True when the hidden field was filled: only a robot does that."""
    return bool(honeypot)


def too_soon_or_unsigned(*, key: bytes, stamp: str, min_seconds: float, max_age: float) -> bool:
    """True for a missing, forged or stale stamp, or a form sent back faster than a person types."""
    shown = shown_at(key=key, stamp=stamp)
    if shown is None:
        return True
    age = time.time() - shown
    return age < min_seconds or age > max_age


# Meeting's refusals, as the status the citizen's page answers with.
_STATUS = {grpc.StatusCode.INVALID_ARGUMENT: 422, grpc.StatusCode.FAILED_PRECONDITION: 409,
           grpc.StatusCode.NOT_FOUND: 404}


async def forward(
    client: MeetingClient, *, tenant: str, meeting_id: str, data: QuestionInput, lang: str
) -> Outcome:
    """Send the question to meeting; its refusal's message is already in the citizen's language."""
    try:
        await client.submit_question(public_pb2.SubmitCitizenQuestionRequest(
            tenant=tenant, meeting_id=meeting_id, author=data.author, email=data.email,
            text=data.text, language=lang))
    except grpc.aio.AioRpcError as exc:
        status = _STATUS.get(exc.code())
        if status is None:  # meeting unreachable or failing: ask to try again later
            return Outcome(sent=False, status=503, key="questions.unavailable")
        return Outcome(sent=False, status=status, message=exc.details() or "")
    return Outcome(sent=True)
