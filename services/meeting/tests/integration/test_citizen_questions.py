"""Citizens' question time: the portal forwards a question over gRPC, the clerk decides, the
answer is published with the question and written into the minutes; mail addresses never leave
meeting and are erased when the meeting closes."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel, error_reason
from ratsraum_meeting.questions.models import CitizenQuestion

BASE = f"/api/v1/meetings/{demo.MEETING_ID}"
QUESTION_TIME = next(i for i in demo.AGENDA if i.title == "Einwohnerfragestunde")
MAIL = "anna.fragt@example.org"


def _problem(answer, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict = answer.json()
    return body


async def _submit(meeting, **fields: str) -> str:  # type: ignore[no-untyped-def]
    request = {"tenant": demo.TENANT, "meeting_id": demo.MEETING_ID, "author": "Anna Frage",
               "email": MAIL, "text": "Wann kommt das WLAN an den Bahnhof?", **fields}
    async with channel(f"127.0.0.1:{meeting.app.state.grpc_port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        done = await stub.SubmitCitizenQuestion(
            public_pb2.SubmitCitizenQuestionRequest(**request), timeout=5)
    return str(done.question_id)


async def _refusal(meeting, **fields: str) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _submit(meeting, **fields)
    return refused.value


async def _public(meeting) -> public_pb2.PublicMeeting:  # type: ignore[no-untyped-def]
    async with channel(f"127.0.0.1:{meeting.app.state.grpc_port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        return await stub.GetPublicMeeting(public_pb2.GetPublicMeetingRequest(
            tenant=demo.TENANT, meeting_id=demo.MEETING_ID), timeout=5)


async def test_a_question_is_decided_answered_published_and_minuted(meeting, issuer) -> None:
    clerk = issuer.person("richter")
    asked = await _submit(meeting)
    rejected = await _submit(meeting, author="Bert Beleidigt", email="", text="Ihr seid alle …")
    assert list((await _public(meeting)).citizen_questions) == []

    listed = await meeting.client.get(f"{BASE}/citizen-questions", headers=clerk)
    assert listed.status_code == 200, listed.text
    rows = {row["id"]: row for row in listed.json()}
    assert (rows[asked]["author"], rows[asked]["email"], rows[asked]["status"]) == (
        "Anna Frage", MAIL, "submitted")
    assert rows[rejected]["email"] is None

    no_reason = await meeting.client.post(f"{BASE}/citizen-questions/{rejected}/decision",
                                          json={"approve": False}, headers=clerk)
    assert "Begründung" in _problem(no_reason, 422)["detail"]
    refused = await meeting.client.post(
        f"{BASE}/citizen-questions/{rejected}/decision",
        json={"approve": False, "reason": "Beleidigend (§ 5 Geschäftsordnung)"}, headers=clerk)
    assert refused.status_code == 200, refused.text
    assert refused.json()["reason"] == "Beleidigend (§ 5 Geschäftsordnung)"
    unanswerable = await meeting.client.put(f"{BASE}/citizen-questions/{rejected}/answer",
                                            json={"answer": "Nein."}, headers=clerk)
    _problem(unanswerable, 409)

    approved = await meeting.client.post(f"{BASE}/citizen-questions/{asked}/decision",
                                         json={"approve": True}, headers=clerk)
    assert approved.json()["status"] == "approved", approved.text
    shown = list((await _public(meeting)).citizen_questions)
    assert [(q.author, q.text, q.answer) for q in shown] == [
        ("Anna Frage", "Wann kommt das WLAN an den Bahnhof?", "")]
    assert MAIL not in str(await _public(meeting))

    answer = "Im Frühjahr 2027, sagt die Verwaltung."
    answered = await meeting.client.put(f"{BASE}/citizen-questions/{asked}/answer",
                                        json={"answer": answer}, headers=clerk)
    assert answered.status_code == 200, answered.text
    assert [q.answer for q in (await _public(meeting)).citizen_questions] == [answer]

    minutes = (await meeting.client.get(f"{BASE}/minutes/html", headers=clerk)).text
    section = minutes.split("Einwohnerfragestunde: Fragen und Antworten")[1]
    assert "Anna Frage" in section
    assert answer in section
    assert "Bert Beleidigt" not in minutes
    assert MAIL not in minutes

    # Closing the meeting erases every mail address the citizens gave.
    await meeting.open_and_attend(clerk, present=6)
    assert (await meeting.client.post(f"{BASE}/close", headers=clerk)).status_code == 200
    async with meeting.app.state.db.tenant_session(demo.TENANT) as session:
        mails = (await session.scalars(select(CitizenQuestion.email))).all()
    assert list(mails) == [None, None]


async def test_the_towns_rules_refuse_with_a_message_for_the_citizen(meeting, issuer) -> None:
    too_long = await _refusal(meeting, text="x" * 1001)
    assert too_long.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(too_long) == "QUESTION_TOO_LONG"
    assert "höchstens 1000 Zeichen" in (too_long.details() or "")
    english = await _refusal(meeting, text="x" * 1001, language="en")
    assert "at most 1000 characters" in (english.details() or "")
    assert error_reason(await _refusal(meeting, author="  ")) == "QUESTION_EMPTY"
    assert error_reason(await _refusal(meeting, email="not-a-mail")) == "QUESTION_BAD_EMAIL"
    assert (await _refusal(meeting, meeting_id="no-such")).code() == grpc.StatusCode.NOT_FOUND
    assert (await _refusal(meeting, tenant="../x")).code() == grpc.StatusCode.INVALID_ARGUMENT
    # Another town does not hold this meeting: a question cannot be slipped into it.
    assert (await _refusal(meeting, tenant="hamm")).code() == grpc.StatusCode.NOT_FOUND

    # Submissions end when the question-time item is called.
    clerk = issuer.person("richter")
    await _submit(meeting)
    await meeting.open_and_attend(clerk, present=6)
    await _submit(meeting)  # during the session, before question time: still accepted
    called = await meeting.client.post(f"{BASE}/agenda-items/{QUESTION_TIME.id}/status",
                                       json={"status": "called"}, headers=clerk)
    assert called.status_code == 200, called.text
    late = await _refusal(meeting)
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(late) == "QUESTION_DEADLINE_PASSED"


async def test_only_the_bodys_staff_and_only_in_their_own_town(meeting, issuer) -> None:
    asked = await _submit(meeting)
    member = issuer.person("becker")
    _problem(await meeting.client.get(f"{BASE}/citizen-questions", headers=member), 403)
    _problem(await meeting.client.post(f"{BASE}/citizen-questions/{asked}/decision",
                                       json={"approve": True}, headers=member), 403)
    clerk_id = demo.subject_for(demo.TENANT, "richter")
    elsewhere = {"Authorization": "Bearer " + issuer.token(clerk_id, ["clerk"], tenant="hamm")}
    _problem(await meeting.client.get(f"{BASE}/citizen-questions", headers=elsewhere), 404)
    _problem(await meeting.client.post(f"{BASE}/citizen-questions/{asked}/decision",
                                       json={"approve": True}, headers=elsewhere), 404)
    clerk = issuer.person("richter")
    _problem(await meeting.client.post(f"{BASE}/citizen-questions/unknown/decision",
                                       json={"approve": True}, headers=clerk), 404)
    for bad in ({}, {"approve": "vielleicht"}, {"approve": True, "extra": 1}):
        _problem(await meeting.client.post(f"{BASE}/citizen-questions/{asked}/decision",
                                           json=bad, headers=clerk), 422)
    _problem(await meeting.client.put(f"{BASE}/citizen-questions/{asked}/answer",
                                      json={"answer": ""}, headers=clerk), 422)
