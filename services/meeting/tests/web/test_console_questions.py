"""The clerk console's question-time tab: a citizen's question arrives from the portal over
gRPC, the clerk rejects one with a reason, approves another and records the answer."""

from __future__ import annotations

from signin_kit import WebStack, post, signed_in

from ratsraum.meeting.v1 import public_pb2, public_pb2_grpc
from ratsraum_common import demo
from ratsraum_common.grpcutil import channel

M = f"/sitzungen/{demo.MEETING_ID}"
API = f"/api/v1/meetings/{demo.MEETING_ID}"


async def _ask(web: WebStack, author: str, text: str) -> str:
    async with channel(f"127.0.0.1:{web.meeting.state.grpc_port}") as ch:
        stub = public_pb2_grpc.PublicMeetingServiceStub(ch)
        done = await stub.SubmitCitizenQuestion(public_pb2.SubmitCitizenQuestionRequest(
            tenant=demo.TENANT, meeting_id=demo.MEETING_ID, author=author,
            email="frage@example.org", text=text), timeout=5)
    return str(done.question_id)


async def test_the_clerk_decides_and_answers_in_the_console(web: WebStack) -> None:
    clerk, token = await signed_in(web, "richter")
    empty = await clerk.meeting.get(f"{M}/konsole/fragen")
    assert empty.status_code == 200, empty.text
    assert "Bisher keine Fragen eingegangen." in empty.text

    good = await _ask(web, "Anna Frage", "Wann kommt das WLAN an den Bahnhof?")
    rude = await _ask(web, "Bert Laut", "Warum seid ihr so faul?")
    page = (await clerk.meeting.get(f"{M}/konsole/fragen")).text
    assert 'href="' + M + '/konsole/fragen"' in page
    assert "Wann kommt das WLAN an den Bahnhof?" in page
    assert "frage@example.org" in page  # the clerk sees the address, the public never

    # A rejection without a reason is named in the error summary; nothing changes.
    status, _loc, body = await post(clerk, f"{M}/konsole/fragen/{rude}/entscheiden", token,
                                    decision="reject", reason="")
    assert status == 422, body
    assert "Begründung" in body
    status, location, _body = await post(clerk, f"{M}/konsole/fragen/{rude}/entscheiden",
                                         token, decision="reject", reason="Beleidigend")
    assert status == 303
    status, location, _body = await post(clerk, f"{M}/konsole/fragen/{good}/entscheiden",
                                         token, decision="approve", back="questions")
    assert (status, location) == (303, f"{M}/konsole/fragen?ok=console.questions.ok.decided")
    status, _loc, _body = await post(clerk, f"{M}/konsole/fragen/{good}/antwort", token,
                                     answer="Im Frühjahr 2027.", back="questions")
    assert status == 303

    rows = {q["id"]: q for q in (await clerk.meeting.get(f"{API}/citizen-questions")).json()}
    assert (rows[rude]["status"], rows[rude]["reason"]) == ("rejected", "Beleidigend")
    assert (rows[good]["status"], rows[good]["answer"]) == ("approved", "Im Frühjahr 2027.")
    after = (await clerk.meeting.get(f"{M}/konsole/fragen")).text
    assert "zugelassen" in after
    assert "abgelehnt" in after

    # A member of the body has no question-time console.
    member, _member_token = await signed_in(web, "becker")
    assert (await member.meeting.get(f"{M}/konsole/fragen")).status_code == 403
