"""The clerk console's question-time tab: citizens' questions, approve or reject, the answer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ratsraum_meeting.web.backend import ApiProblem, Backend
from ratsraum_meeting.web.console import session_state, show, tabs
from ratsraum_meeting.web.context import Ctx
from ratsraum_meeting.web.staff import FormInvalid, act, common, staff_page

router = APIRouter(include_in_schema=False)
QUESTION = "/sitzungen/{meeting_id}/konsole/fragen/{question_id}"


def _api(meeting_id: str, question_id: str) -> str:
    return f"/meetings/{meeting_id}/citizen-questions/{question_id}"


@staff_page("questions", "/konsole/fragen")
async def draw_questions(ctx: Ctx, meeting_id: str, query: dict[str, str],
                         errors: list[dict[str, str]], status: int) -> Response:
    """Citizens' questions in order of arrival, each with its decision and answer forms."""
    try:
        state = await session_state(ctx, meeting_id)
        async with ctx.backend() as api:
            questions = await api.get(f"/meetings/{meeting_id}/citizen-questions")
    except ApiProblem as exc:
        return ctx.problem(exc)
    return ctx.render("console/questions.html", {
        **common(ctx, state["meeting"], query, errors, "questions"), **state,
        "tabs": tabs(ctx, meeting_id, "questions"), "questions": questions,
        "back": "questions",
    }, status_code=status)


@router.get("/sitzungen/{meeting_id}/konsole/fragen")
async def questions_page(request: Request, meeting_id: str) -> Response:
    """The clerk console: citizens' question time."""
    return await show(request, meeting_id, "questions")


@router.post(QUESTION + "/entscheiden")
async def decide(request: Request, meeting_id: str, question_id: str) -> Response:
    """Approve a question for the public page, or reject it with a reason."""

    async def call(api: Backend, form: FormData) -> None:
        approve = str(form.get("decision") or "") == "approve"
        reason = str(form.get("reason") or "").strip()[:2000]
        if not approve and not reason:
            raise FormInvalid("console.questions.error.reason", f"reason-{question_id}")
        await api.post(f"{_api(meeting_id, question_id)}/decision",
                       {"approve": approve, "reason": reason})

    return await act(request, meeting_id, ok="console.questions.ok.decided", call=call,
                     default_back="questions", field=f"reason-{question_id}")


@router.post(QUESTION + "/antwort")
async def answer(request: Request, meeting_id: str, question_id: str) -> Response:
    """Record the answer given in the session; it is published with the question."""

    async def call(api: Backend, form: FormData) -> None:
        text = str(form.get("answer") or "").strip()[:20_000]
        if not text:
            raise FormInvalid("console.questions.error.answer", f"answer-{question_id}")
        await api.put(f"{_api(meeting_id, question_id)}/answer", {"answer": text})

    return await act(request, meeting_id, ok="console.questions.ok.answered", call=call,
                     default_back="questions", field=f"answer-{question_id}")
