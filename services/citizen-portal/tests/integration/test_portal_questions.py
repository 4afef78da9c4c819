"""Citizens' question time on the portal: the plain HTML form (no JavaScript needed), robot
traps, the per-network limit, meeting's refusals shown to the citizen, and approved questions
with their answers on the meeting page. Meeting's gRPC border is a small in-test servicer; the
real meeting side is tested in services/meeting/tests/integration/test_citizen_questions.py."""

from __future__ import annotations

import time
from typing import Any

import grpc

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc

Portal = Any  # the conftest's Portal


class QuestionDesk(public_pb2_grpc.PublicMeetingServiceServicer):  # type: ignore[misc]
    """Meeting's question intake: keeps what arrives, or refuses as told."""

    def __init__(self) -> None:
        self.received: list[public_pb2.SubmitCitizenQuestionRequest] = []
        self.refuse: tuple[grpc.StatusCode, str] | None = None

    async def ListPublicMeetings(self, request: Any, context: Any) -> Any:
        return public_pb2.ListPublicMeetingsResponse()

    async def ListPublicRecords(self, request: Any, context: Any) -> Any:
        return public_pb2.ListPublicRecordsResponse()

    async def SubmitCitizenQuestion(self, request: Any, context: Any) -> Any:
        if self.refuse is not None:
            await context.abort(*self.refuse)
        self.received.append(request)
        return public_pb2.SubmitCitizenQuestionResponse(question_id=f"q{len(self.received)}")


def _form(**fields: str) -> dict[str, str]:
    # Shown long enough ago for a person to have typed.
    form = {"name": "Anna Frage", "email": "anna@example.org",
            "frage": "Wann kommt das WLAN?", "angezeigt": str(int(time.time()) - 60),
            "webseite": ""}
    form.update(fields)
    return form


async def _with_desk(start_portal: Any, sqlite_url: str, **extra: Any) -> Any:
    desk, server = QuestionDesk(), grpc.aio.server()
    public_pb2_grpc.add_PublicMeetingServiceServicer_to_server(desk, server)
    port = server.add_insecure_port("127.0.0.1:0")  # the server's own choice: no race
    await server.start()
    return desk, server, start_portal(sqlite_url, f"127.0.0.1:{port}", **extra)


async def test_a_question_is_sent_without_javascript_and_confirmed(
    start_portal: Any, sqlite_url: str, publish: Any, new_meeting: Any, tenant: str
) -> None:
    desk, server, running = await _with_desk(start_portal, sqlite_url, question_limit=5)
    try:
        async with running as portal:
            meeting = new_meeting()
            await publish(meeting, 1)
            await portal.wait_for_meeting(tenant, meeting.id)
            page_url = f"/{tenant}/sitzungen/{meeting.id}"
            page = await portal.http.get(page_url)
            assert 'action="' + page_url + '/fragen"' in page.text
            assert 'name="webseite"' in page.text
            assert "Bisher sind keine Fragen zugelassen." in page.text

            sent = await portal.http.post(f"{page_url}/fragen", data=_form())
            assert sent.status_code == 303
            assert sent.headers["location"] == f"{page_url}?frage=danke#fragen"
            [request] = desk.received
            assert (request.tenant, request.meeting_id, request.author, request.email,
                    request.text, request.language) == (
                tenant, meeting.id, "Anna Frage", "anna@example.org", "Wann kommt das WLAN?",
                "de")
            thanks = await portal.http.get(sent.headers["location"])
            assert "Ihre Frage ist eingegangen" in thanks.text

            # Robots: the hidden field filled, or the form sent back at once. They see the
            # same confirmation, and nothing reaches meeting.
            for trapped in (_form(webseite="http://spam.example"),
                            _form(angezeigt=str(int(time.time()))), _form(angezeigt="x")):
                answer = await portal.http.post(f"{page_url}/fragen", data=trapped)
                assert answer.status_code == 303
            assert len(desk.received) == 1

            # The limit per network counts every attempt, trapped ones too: the sixth from this
            # address is refused, with what was typed kept.
            await portal.http.post(f"{page_url}/fragen", data=_form())
            limited = await portal.http.post(f"{page_url}/fragen", data=_form(frage="Noch eine"))
            assert limited.status_code == 429
            assert "sehr viele Fragen" in limited.text
            assert "Noch eine" in limited.text
            assert len(desk.received) == 2

            unknown = await portal.http.post(f"/{tenant}/sitzungen/nope/fragen", data=_form())
            assert unknown.status_code == 404
    finally:
        await server.stop(None)


async def test_meetings_refusals_reach_the_citizen_never_a_500(
    start_portal: Any, sqlite_url: str, publish: Any, new_meeting: Any, tenant: str
) -> None:
    desk, server, running = await _with_desk(start_portal, sqlite_url)
    try:
        async with running as portal:
            meeting = new_meeting()
            await publish(meeting, 1)
            await portal.wait_for_meeting(tenant, meeting.id)
            url = f"/{tenant}/sitzungen/{meeting.id}/fragen"
            desk.refuse = (grpc.StatusCode.INVALID_ARGUMENT,
                           "Die Frage ist zu lang: höchstens 1000 Zeichen.")
            too_long = await portal.http.post(url, data=_form(frage="x" * 1001))
            assert too_long.status_code == 422
            assert "höchstens 1000 Zeichen" in too_long.text
            assert "x" * 1001 in too_long.text  # what was typed is kept
            desk.refuse = (grpc.StatusCode.FAILED_PRECONDITION,
                           "Für diese Sitzung können keine Fragen mehr eingereicht werden.")
            late = await portal.http.post(url, data=_form())
            assert late.status_code == 409
            assert "keine Fragen mehr" in late.text
            await server.stop(None)  # meeting down: a clear message, the text kept
            down = await portal.http.post(url, data=_form(frage="Bleibt mein Text?"))
            assert down.status_code == 503
            assert "nicht übermittelt" in down.text
            assert "Bleibt mein Text?" in down.text
            assert desk.received == []
    finally:
        await server.stop(None)


async def test_approved_questions_and_answers_are_shown_and_the_form_ends_at_close(
    sqlite_portal: Portal, publish: Any, new_meeting: Any, tenant: str
) -> None:
    meeting = new_meeting()
    meeting.citizen_questions.add(id="q1", author="Anna Frage", text="Wann kommt das WLAN?",
                                  answer="Im Frühjahr.")
    meeting.citizen_questions.add(id="q2", author="Bert Neu", text="Und der Radweg?")
    await publish(meeting, 1)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id)
    page = (await sqlite_portal.http.get(f"/{tenant}/sitzungen/{meeting.id}")).text
    assert "Frage von Anna Frage:" in page
    assert "Antwort:</strong> Im Frühjahr." in page
    assert "Frage von Bert Neu:" in page
    english = await sqlite_portal.http.get(f"/{tenant}/sitzungen/{meeting.id}",
                                           headers={"Accept-Language": "en"})
    assert "Ask a question" in english.text

    meeting.status = "closed"
    await publish(meeting, 2)
    await sqlite_portal.wait_for_meeting(tenant, meeting.id, lambda m: m["status"] == "closed")
    closed = (await sqlite_portal.http.get(f"/{tenant}/sitzungen/{meeting.id}")).text
    assert "keine Fragen mehr eingereicht" in closed
    assert "/fragen\"" not in closed
