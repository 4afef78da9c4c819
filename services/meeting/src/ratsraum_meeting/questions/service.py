"""Question time: a citizen submits, the clerk approves or rejects, the answer is recorded."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.meetings.models import AgendaItem, Meeting
from ratsraum_meeting.meetings.service import get_meeting
from ratsraum_meeting.questions.models import CitizenQuestion
from ratsraum_meeting.timeutil import now, utc

MAX_NAME = 120
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# The agenda item of question time, by the words towns use for it.
_QUESTION_TIME = re.compile(r"fragestunde|question time", re.IGNORECASE)

_EMPTY = Msg("Bitte geben Sie Ihren Namen und Ihre Frage an.",
             "Please give your name and your question.")
_TOO_LONG = Msg("Die Frage ist zu lang: höchstens {limit} Zeichen.",
                "The question is too long: at most {limit} characters.")
_NAME_TOO_LONG = Msg("Der Name ist zu lang: höchstens {limit} Zeichen.",
                     "The name is too long: at most {limit} characters.")
_BAD_EMAIL = Msg("Die Mailadresse ist ungültig.", "The mail address is not valid.")
_DEADLINE = Msg("Für diese Sitzung können keine Fragen mehr eingereicht werden.",
                "Questions for this meeting can no longer be submitted.")
_NOT_FOUND = Msg("Diese Frage gibt es in dieser Sitzung nicht.",
                 "This meeting has no such question.")
_REASON = Msg("Eine Ablehnung braucht eine Begründung.", "A rejection needs a reason.")
_NOT_APPROVED = Msg("Nur zugelassene Fragen können beantwortet werden.",
                    "Only approved questions can be answered.")
_EMPTY_ANSWER = Msg("Die Antwort ist leer.", "The answer is empty.")


@dataclass(frozen=True, slots=True)
class Rules:
    """The town's rules for question time."""

    max_chars: int = 1000
    hours_before: int = 0


async def _open_for_questions(session: AsyncSession, meeting: Meeting, rules: Rules) -> bool:
    if meeting.status == "closed":
        return False
    if rules.hours_before and now() > utc(meeting.starts_at) - timedelta(hours=rules.hours_before):
        return False
    items = (await session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id))).all()
    # Submissions end when the question-time item is called.
    return not any(_QUESTION_TIME.search(i.title) and i.status != "pending" for i in items)


async def submit(
    session: AsyncSession, *, meeting_id: str, author: str, email: str, text: str, rules: Rules
) -> CitizenQuestion:
    """Keep a citizen's question for the clerk, checked against the town's rules."""
    author, email, text = author.strip(), email.strip(), text.strip()
    if not author or not text:
        raise Problem(422, "question-empty", _EMPTY)
    if len(author) > MAX_NAME:
        raise Problem(422, "question-name-too-long", _NAME_TOO_LONG, limit=MAX_NAME)
    if len(text) > rules.max_chars:
        raise Problem(422, "question-too-long", _TOO_LONG, limit=rules.max_chars)
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise Problem(422, "question-bad-email", _BAD_EMAIL)
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    if not await _open_for_questions(session, meeting, rules):
        raise Problem(409, "question-deadline-passed", _DEADLINE)
    row = CitizenQuestion(
        id=str(uuid.uuid4()), tenant_id=meeting.tenant_id, meeting_id=meeting.id,
        author=author, email=email or None, text=text, status="submitted",
        submitted_at=now())
    session.add(row)
    await session.flush()
    return row


async def questions(session: AsyncSession, *, meeting_id: str) -> list[CitizenQuestion]:
    """Every question of the meeting, oldest first (for the clerk)."""
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    return list((await session.scalars(select(CitizenQuestion).where(
        CitizenQuestion.meeting_id == meeting.id).order_by(
        CitizenQuestion.submitted_at, CitizenQuestion.id))).all())


async def approved(session: AsyncSession, *, meeting_id: str) -> list[CitizenQuestion]:
    """The approved questions of the meeting, oldest first (public: name, text, answer)."""
    return list((await session.scalars(select(CitizenQuestion).where(
        CitizenQuestion.meeting_id == meeting_id, CitizenQuestion.status == "approved")
        .order_by(CitizenQuestion.submitted_at, CitizenQuestion.id))).all())


async def _one(session: AsyncSession, meeting_id: str, question_id: str) -> CitizenQuestion:
    meeting, _body = await get_meeting(session, meeting_id=meeting_id)
    row = await session.get(CitizenQuestion, question_id)
    if row is None or row.meeting_id != meeting.id:
        raise Problem(404, "question-not-found", _NOT_FOUND)
    return row


async def decide(
    session: AsyncSession, *, meeting_id: str, question_id: str, approve: bool, reason: str
) -> CitizenQuestion:
    """Approve a question for the meeting page, or reject it with a reason."""
    row = await _one(session, meeting_id, question_id)
    reason = reason.strip()
    if not approve and not reason:
        raise Problem(422, "question-reason-required", _REASON)
    was_public = row.status == "approved"
    row.status = "approved" if approve else "rejected"
    row.reason = reason or None
    row.decided_at = now()
    await session.flush()
    if approve or was_public:
        public_view_changed(session, meeting_id=row.meeting_id)
    return row


async def record_answer(
    session: AsyncSession, *, meeting_id: str, question_id: str, answer: str
) -> CitizenQuestion:
    """Record the answer given in the session; it is published with the question."""
    row = await _one(session, meeting_id, question_id)
    if row.status != "approved":
        raise Problem(409, "question-not-approved", _NOT_APPROVED)
    if not answer.strip():
        raise Problem(422, "question-answer-empty", _EMPTY_ANSWER)
    row.answer, row.answered_at = answer.strip(), now()
    await session.flush()
    public_view_changed(session, meeting_id=row.meeting_id)
    return row


async def forget_addresses(session: AsyncSession, *, meeting_id: str) -> None:
    """Erase the citizens' mail addresses of a meeting (done when it closes)."""
    await session.execute(update(CitizenQuestion).where(
        CitizenQuestion.meeting_id == meeting_id).values(email=None)
        .execution_options(synchronize_session=False))
