"""A citizen's question from the form to meeting: robot traps first, meeting decides the rest."""

from __future__ import annotations

import time
from dataclasses import dataclass

import grpc

from ratsraum.meeting.v1 import public_pb2
from ratsraum_portal.meetings.backfill import MeetingClient

# The hidden field a person never fills (robots fill every field they find).
HONEYPOT = "webseite"
# When the form was shown (seconds since the epoch); a robot sends it back at once.
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


def looks_robotic(*, honeypot: str, shown_at: str, min_seconds: float) -> bool:
    """True when the hidden field was filled or the form came back faster than a person types."""
    if honeypot:
        return True
    try:
        shown = float(shown_at)
    except ValueError:
        return True
    return time.time() - shown < min_seconds


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
