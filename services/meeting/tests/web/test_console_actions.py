"""The clerk console's actions without a browser: agenda moves and urgent items, interrupt and
resume with the re-run, elections (open and secret) with runoff and lot, and the sign-off.
Voting is faked at its gRPC border; the ballots members would cast are put there directly.
"""

from __future__ import annotations

import re

from meeting_fakes.voting import FakeVoting
from signin_kit import Browser, WebStack, post, signed_in

from ratsraum_common import demo

M = f"/sitzungen/{demo.MEETING_ID}"
API = f"/api/v1/meetings/{demo.MEETING_ID}"
ITEMS = {i.key: i for i in demo.AGENDA}
MEMBERS = [p for p in demo.PEOPLE if p.is_member and p.username != "braun"]
CANDIDATES = {p.username: p for p in MEMBERS}


async def running_with_everyone_in_the_room(web: WebStack) -> tuple[Browser, str]:
    """The clerk's browser after opening the meeting and checking in ten members."""
    clerk, token = await signed_in(web, "richter")
    assert (await post(clerk, f"{M}/konsole/eroeffnen", token))[0] == 303
    status, _loc, body = await post(clerk, f"{M}/konsole/anwesenheit", token,
                                    selected=[p.subject for p in MEMBERS], presence="in_room")
    assert status == 303, body
    return clerk, token


async def open_poll_id(clerk: Browser) -> str:
    """The id of the vote running now, as the console's vote tab shows it."""
    page = await clerk.meeting.get(f"{M}/konsole/abstimmungen")
    found = re.search(r'data-poll-count="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def cast(fake: FakeVoting, poll_id: str, choices: dict[str, str]) -> None:
    """Members' ballots as voting holds them (username -> option id)."""
    held = fake.polls[(demo.TENANT, poll_id)]
    held.ballots.update({demo.subject_for(demo.TENANT, u): c for u, c in choices.items()})
    held.poll.ballots_cast = len(held.ballots)


async def test_the_clerk_moves_an_item_and_adds_an_urgent_one(web: WebStack) -> None:
    clerk, token = await running_with_everyone_in_the_room(web)
    moved = ITEMS["o4"]
    status, location, _body = await post(clerk, f"{M}/konsole/punkte/{moved.id}/verschieben",
                                         token, position="2")
    assert (status, location) == (303, f"{M}/konsole?ok=staff.ok.moved")
    agenda = (await clerk.meeting.get(f"{API}/agenda")).json()["items"]
    assert [i["id"] for i in agenda][1] == moved.id
    page = await clerk.meeting.get(location)
    assert "Der Tagesordnungspunkt ist verschoben." in page.text

    # A position that is no number is named in the error summary; nothing moves.
    status, _loc, body = await post(clerk, f"{M}/konsole/punkte/{moved.id}/verschieben",
                                    token, position="zwei")
    assert status == 422
    assert f'href="#move-{moved.id}"' in body
    assert [i["id"] for i in (await clerk.meeting.get(f"{API}/agenda")).json()["items"]][
        1] == moved.id

    # An urgent item needs its reason; with it, it joins the agenda, votable.
    status, _loc, body = await post(clerk, f"{M}/konsole/punkte/dringlich", token,
                                    title="Resolution zur Hochwasserhilfe", reason="")
    assert status == 422
    assert 'href="#urgent-reason"' in body
    status, location, _body = await post(clerk, f"{M}/konsole/punkte/dringlich", token,
                                         title="Resolution zur Hochwasserhilfe",
                                         reason="Die Antragsfrist endet morgen.")
    assert (status, location) == (303, f"{M}/konsole?ok=staff.ok.urgent")
    agenda = (await clerk.meeting.get(f"{API}/agenda")).json()["items"]
    urgent = next(i for i in agenda if i["title"] == "Resolution zur Hochwasserhilfe")
    assert urgent["votable"]
    votes = await clerk.meeting.get(f"{M}/konsole/abstimmungen")
    assert f'<option value="{urgent["id"]}"' in votes.text


async def test_the_chair_interrupts_resumes_and_reruns_the_void_vote(web: WebStack) -> None:
    clerk, token = await running_with_everyone_in_the_room(web)
    assert (await post(clerk, f"{M}/konsole/abstimmungen/eroeffnen", token,
                       item_id=ITEMS["o3"].id, method="open", majority_rule="simple"))[0] == 303
    poll_id = await open_poll_id(clerk)
    # Interrupting is the chair's: the clerk gets no control and the API refuses her.
    page = await clerk.meeting.get(f"{M}/konsole/stoerungen")
    assert "Sitzung unterbrechen" not in page.text
    assert (await post(clerk, f"{M}/konsole/unterbrechen", token))[0] == 403

    chair, chair_token = await signed_in(web, "schulte")
    status, location, _body = await post(chair, f"{M}/konsole/unterbrechen", chair_token,
                                         reason="Tonanlage ausgefallen", back="disruptions")
    assert (status, location) == (303, f"{M}/konsole/stoerungen?ok=staff.ok.interrupted")
    assert (await chair.meeting.get(API)).json()["status"] == "interrupted"
    assert (await chair.meeting.get(f"/api/v1/polls/{poll_id}")).json()["state"] == "void"
    page = await chair.meeting.get(location)
    assert "Sitzung fortsetzen" in page.text
    assert "Tonanlage ausgefallen" in page.text
    # No re-run while interrupted: the session resumes first.
    status, location, _body = await post(chair, f"{M}/konsole/fortsetzen", chair_token,
                                         back="disruptions")
    assert (status, location) == (303, f"{M}/konsole/stoerungen?ok=staff.ok.resumed")
    assert (await chair.meeting.get(API)).json()["status"] == "running"
    page = await chair.meeting.get(location)
    reruns = page.text[page.text.index('id="rr-r-reruns"'):]
    assert f"/abstimmungen/{poll_id}/wiederholen" in reruns

    status, location, _body = await post(
        chair, f"{M}/konsole/abstimmungen/{poll_id}/wiederholen", chair_token,
        back="disruptions", **{f"reason-{poll_id}": "Tonausfall während der Abstimmung"})
    assert (status, location) == (303, f"{M}/konsole/stoerungen?ok=staff.ok.vote_rerun")
    rerun = await open_poll_id(clerk)
    assert rerun != poll_id
    page = await chair.meeting.get(location)
    assert f"/abstimmungen/{poll_id}/wiederholen" not in page.text  # re-run once only


async def test_an_election_goes_to_a_runoff_then_the_chair_draws_the_lot(
    web: WebStack, fake_voting: tuple[FakeVoting, int],
) -> None:
    fake = fake_voting[0]
    clerk, token = await running_with_everyone_in_the_room(web)
    trio = [CANDIDATES[u] for u in ("krause", "klein", "wolf")]
    status, _loc, body = await post(clerk, f"{M}/konsole/abstimmungen/wahl", token,
                                    back="votes", item_id=ITEMS["o3"].id,
                                    candidate=[p.subject for p in trio])
    assert status == 303, body
    first = await open_poll_id(clerk)
    cast(fake, first, {"becker": trio[0].subject, "hoffmann": trio[0].subject,
                       "yilmaz": trio[1].subject, "wagner": trio[2].subject})
    assert (await post(clerk, f"{M}/konsole/abstimmungen/{first}/schliessen", token,
                       back="votes"))[0] == 303
    page = await clerk.meeting.get(f"{M}/konsole/abstimmungen")
    # The result names the candidates (not their ids) with their votes.
    assert "Keine absolute Mehrheit: Stichwahl nötig" in page.text
    for person, count in ((trio[0], 2), (trio[1], 1), (trio[2], 1)):
        assert re.search(rf'scope="row">{person.name}</th>'
                         rf'<td class="kern-table__cell kern-table__cell--numeric">{count}<',
                         page.text), person.username
    assert trio[0].subject not in page.text.split('id="rr-r-done-votes"')[1].split("<form")[0]

    status, location, _body = await post(clerk, f"{M}/konsole/abstimmungen/{first}/stichwahl",
                                         token, back="votes")
    assert (status, location) == (303, f"{M}/konsole/abstimmungen?ok=staff.ok.runoff")
    runoff = await open_poll_id(clerk)
    assert [o.id for o in fake.polls[(demo.TENANT, runoff)].poll.options] == [
        trio[0].subject, trio[1].subject]
    cast(fake, runoff, {"becker": trio[0].subject, "yilmaz": trio[1].subject})
    assert (await post(clerk, f"{M}/konsole/abstimmungen/{runoff}/schliessen", token,
                       back="votes"))[0] == 303
    page = await clerk.meeting.get(f"{M}/konsole/abstimmungen")
    assert "Stimmengleichheit: Das Los entscheidet" in page.text
    # The lot is the chair's: no button for the clerk, and the API refuses her.
    assert f"/abstimmungen/{runoff}/los" not in page.text
    assert (await post(clerk, f"{M}/konsole/abstimmungen/{runoff}/los", token,
                       back="votes"))[0] == 403

    chair, chair_token = await signed_in(web, "schulte")
    page = await chair.meeting.get(f"{M}/konsole/abstimmungen")
    assert f"/abstimmungen/{runoff}/los" in page.text
    status, location, _body = await post(chair, f"{M}/konsole/abstimmungen/{runoff}/los",
                                         chair_token, back="votes")
    assert (status, location) == (303, f"{M}/konsole/abstimmungen?ok=staff.ok.lot")
    drawn = (await chair.meeting.get(f"/api/v1/polls/{runoff}")).json()["result"]["election"]
    assert drawn["lot_drawn"], drawn


async def test_a_secret_election_needs_two_candidates_and_a_voting_service_with_guardians(
    web: WebStack, fake_voting: tuple[FakeVoting, int],
) -> None:
    fake = fake_voting[0]
    clerk, token = await running_with_everyone_in_the_room(web)
    page = await clerk.meeting.get(f"{M}/konsole/abstimmungen")
    assert 'id="election-secret"' in page.text
    assert "Geheime Wahl" in page.text
    pair = [CANDIDATES["krause"], CANDIDATES["klein"]]
    # One candidate is not enough for a secret election: named before any call.
    status, _loc, body = await post(clerk, f"{M}/konsole/abstimmungen/wahl", token,
                                    back="votes", item_id=ITEMS["o3"].id, secret="yes",
                                    candidate=[pair[0].subject])
    assert status == 422
    assert "mindestens zwei Kandidierende" in body
    assert 'href="#election-candidates"' in body
    assert not fake.polls

    # This voting service has no guardians (a fake without the secret ballot service): the
    # console says to hold it on paper, and nothing was opened. The whole-session browser
    # test opens one against real guardians.
    status, _loc, body = await post(clerk, f"{M}/konsole/abstimmungen/wahl", token,
                                    back="votes", item_id=ITEMS["o3"].id, secret="yes",
                                    candidate=[p.subject for p in pair])
    assert status == 422, body
    assert "noch nicht verfügbar; bitte auf Papier durchführen" in body
    page = await clerk.meeting.get(f"{M}/konsole/abstimmungen")
    assert "Zurzeit läuft keine Abstimmung." in page.text


async def test_chair_and_clerk_sign_the_minutes_which_are_then_sealed(web: WebStack) -> None:
    clerk, token = await running_with_everyone_in_the_room(web)
    assert (await post(clerk, f"{M}/konsole/beenden", token))[0] == 303
    # Each signs in their own role only; an unknown role never reaches the API.
    status, _loc, body = await post(clerk, f"{M}/konsole/niederschrift/unterschreiben", token,
                                    back="minutes", role="mayor")
    assert status == 422, body
    status, _loc, body = await post(clerk, f"{M}/konsole/niederschrift/unterschreiben", token,
                                    back="minutes", role="chair")
    assert status == 403, body
    status, location, _body = await post(clerk, f"{M}/konsole/niederschrift/unterschreiben",
                                         token, back="minutes", role="clerk")
    assert (status, location) == (303, f"{M}/konsole/niederschrift?ok=staff.ok.signed")
    page = await clerk.meeting.get(location)
    assert "Schriftführung: Jana Richter" in page.text
    assert "Als Schriftführung unterschreiben" not in page.text
    assert (await clerk.meeting.get(f"{API}/minutes")).json()["status"] == "draft"

    chair, chair_token = await signed_in(web, "schulte")
    status, _loc, _body = await post(chair, f"{M}/konsole/niederschrift/unterschreiben",
                                     chair_token, back="minutes", role="chair")
    assert status == 303
    page = await chair.meeting.get(f"{M}/konsole/niederschrift")
    assert "Unterschrieben und versiegelt" in page.text
    assert "Vorsitz: Anna Schulte" in page.text
    assert (await chair.meeting.get(f"{API}/minutes")).json()["status"] == "signed"


async def test_a_member_sees_an_elections_candidates_with_their_votes_and_who_is_elected(
    web: WebStack, fake_voting: tuple[FakeVoting, int],
) -> None:
    fake = fake_voting[0]
    clerk, token = await running_with_everyone_in_the_room(web)
    pair = [CANDIDATES[u] for u in ("krause", "klein")]
    status, _loc, body = await post(clerk, f"{M}/konsole/abstimmungen/wahl", token,
                                    back="votes", item_id=ITEMS["o3"].id,
                                    candidate=[p.subject for p in pair])
    assert status == 303, body
    poll_id = await open_poll_id(clerk)
    cast(fake, poll_id, {"becker": pair[0].subject, "hoffmann": pair[0].subject,
                         "yilmaz": pair[0].subject, "wagner": pair[1].subject})
    assert (await post(clerk, f"{M}/konsole/abstimmungen/{poll_id}/schliessen", token,
                       back="votes"))[0] == 303

    member, _token = await signed_in(web, "becker")
    page = await member.meeting.get(f"{M}/abstimmungen/{poll_id}")
    assert page.status_code == 200, page.text
    result = page.text.split("data-vote-result")[1].split("</section>")[0]
    assert f"Ergebnis: Gewählt ({pair[0].name})" in result
    for person, count in ((pair[0], 3), (pair[1], 1)):
        assert re.search(rf'scope="row">{person.name}</th>'
                         rf'<td class="kern-table__cell kern-table__cell--numeric">{count}<',
                         result), person.username
    assert "Angenommen" not in result  # people are elected, not carried
    assert "Abgelehnt" not in result
    assert pair[0].subject not in result
    assert pair[1].subject not in result
    assert re.search(rf'<tr class="kern-table__row" data-elected><th[^>]*>{pair[0].name}<',
                     result)
