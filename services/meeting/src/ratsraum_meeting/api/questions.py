"""Citizens' question time for the clerk: the questions, approval or rejection, the answer.

Citizens submit through the portal, which forwards over gRPC (api/public_grpc.py).
"""

from __future__ import annotations

from fastapi import APIRouter

from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Runner
from ratsraum_meeting.questions import service
from ratsraum_meeting.questions.schemas import AnswerIn, DecisionIn, QuestionOut

router = APIRouter(prefix="/api/v1/meetings", tags=["citizen questions"])


def _changed(tenant: str, meeting_id: str, question_id: str) -> None:
    # Clerk screens redraw their question region; member screens ignore this kind.
    live.notify(tenant=tenant, meeting_id=meeting_id, kind="citizen_question",
                data={"question_id": question_id})


@router.get("/{meeting_id}/citizen-questions")
async def list_questions(meeting_id: str, principal: Runner, db: DB) -> list[QuestionOut]:
    """Every citizen's question of the meeting, oldest first (clerk and chair)."""
    async with db.tenant_session(principal.tenant) as session:
        rows = await service.questions(session, meeting_id=meeting_id)
    return [QuestionOut.of(row) for row in rows]


@router.post("/{meeting_id}/citizen-questions/{question_id}/decision")
async def decide_question(
    meeting_id: str, question_id: str, body: DecisionIn, principal: Runner, db: DB
) -> QuestionOut:
    """Approve a question for the public meeting page, or reject it with a reason."""
    async with db.transaction(principal.tenant) as session:
        row = await service.decide(session, meeting_id=meeting_id, question_id=question_id,
                                   approve=body.approve, reason=body.reason)
        out = QuestionOut.of(row)
    _changed(principal.tenant, meeting_id, question_id)
    return out


@router.put("/{meeting_id}/citizen-questions/{question_id}/answer")
async def answer_question(
    meeting_id: str, question_id: str, body: AnswerIn, principal: Runner, db: DB
) -> QuestionOut:
    """Record the answer given in the session; it is published with the question."""
    async with db.transaction(principal.tenant) as session:
        row = await service.record_answer(session, meeting_id=meeting_id,
                                          question_id=question_id, answer=body.answer)
        out = QuestionOut.of(row)
    _changed(principal.tenant, meeting_id, question_id)
    return out
