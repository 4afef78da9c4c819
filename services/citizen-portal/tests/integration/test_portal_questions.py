"""Citizens' question time on the portal: the plain HTML form (no JavaScript needed), robot
traps, the per-network limit, meeting's refusals shown to the citizen, and approved questions
with their answers on the meeting page. Meeting's gRPC border is a small in-test servicer; the
real meeting side is tested in services/meeting/tests/integration/test_citizen_questions.py."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import grpc

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_portal.questions.stamp import shown_at, sign_shown_at

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


# This test's form key (the portal reads it from PORTAL_FORM_SECRET), drawn per run.
FORM_SECRET = secrets.token_urlsafe(32)
FORM_KEY = FORM_SECRET.encode()
TOO_FAST = "Das Formular kam zu schnell oder von einer veralteten Seite zurück."


def _stamp(seconds_ago: float, key: bytes = FORM_KEY) -> str:
    return sign_shown_at(key=key, now=time.time() - seconds_ago)


def _form(**fields: str) -> dict[str, str]:
    # Shown long enough ago for a person to have typed, stamped by the portal.
    form = {"name": "Anna Frage", "email": "anna@example.org",
            "frage": "Wann kommt das WLAN?", "angezeigt": _stamp(60), "webseite": ""}
    form.update(fields)
    return form


async def _with_desk(start_portal: Any, sqlite_url: str, **extra: Any) -> Any:
    desk, server = QuestionDesk(), grpc.aio.server()
    public_pb2_grpc.add_PublicMeetingServiceServicer_to_server(desk, server)
    port = server.add_insecure_port("127.0.0.1:0")  # the server's own choice: no race
    await server.start()
    return desk, server, start_portal(sqlite_url, f"127.0.0.1:{port}", form_secret=FORM_SECRET,
                                      **extra)


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

            # A robot that fills the hidden field sees the same confirmation; nothing is sent.
            answer = await portal.http.post(f"{page_url}/fragen",
                                            data=_form(webseite="http://spam.example"))
            assert answer.status_code == 303
            # Sent back at once, or with a stamp the portal did not sign: refused, text kept.
            for hasty in (_form(angezeigt=_stamp(0)), _form(angezeigt=str(int(time.time())))):
                answer = await portal.http.post(f"{page_url}/fragen", data=hasty)
                assert answer.status_code == 422
                assert TOO_FAST in answer.text
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


async def test_a_forged_missing_or_stale_stamp_is_refused_like_a_hasty_form(
    start_portal: Any, sqlite_url: str, publish: Any, new_meeting: Any, tenant: str
) -> None:
    desk, server, running = await _with_desk(start_portal, sqlite_url, question_limit=50)
    try:
        async with running as portal:
            meeting = new_meeting()
            await publish(meeting, 1)
            await portal.wait_for_meeting(tenant, meeting.id)
            url = f"/{tenant}/sitzungen/{meeting.id}/fragen"
            genuine = _stamp(60)
            seconds, _, mac = genuine.partition(".")
            forged = {
                "too fast": _stamp(0),
                "made-up time": str(int(time.time()) - 60),
                "time changed": f"{int(seconds) - 1}.{mac}",
                "signature changed": f"{seconds}.{mac[:-1]}{'0' if mac[-1] != '0' else '1'}",
                "another key": _stamp(60, key=b"not the portal's key at all"),
                "stale": _stamp(3 * 86_400),
                "missing": None,
                "empty": "",
                "junk": "\u00e4.\u00f6",
            }
            for why, stamp in forged.items():
                form = _form(frage=f"Frage {why}")
                if stamp is None:
                    del form["angezeigt"]
                else:
                    form["angezeigt"] = stamp
                answer = await portal.http.post(url, data=form)
                assert answer.status_code == 422, why
                assert TOO_FAST in answer.text, why
                assert f"Frage {why}" in answer.text, why  # what was typed is kept
                # The page comes back with a fresh, genuine stamp: sending again works.
                fresh = re.search(r'name="angezeigt" value="([^"]+)"', answer.text)
                assert fresh is not None, why
                assert shown_at(key=FORM_KEY, stamp=fresh[1]), why
            assert desk.received == []
            english = await portal.http.post(url, data=_form(angezeigt=_stamp(0)),
                                             headers={"Accept-Language": "en"})
            assert "The form came back too quickly" in english.text
            assert (await portal.http.post(url, data=_form())).status_code == 303
            assert len(desk.received) == 1
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
