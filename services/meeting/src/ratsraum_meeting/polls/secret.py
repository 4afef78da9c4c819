"""Secret polls from meeting's side: what the member's device encrypts with, the relay of its
encrypted ballot, and the code lookup (the close is in polls/closing.py).

Meeting never sees a choice: the member's device encrypts it (libs/ballot-client) and meeting
passes the ciphertext on with the member's id, which voting needs for the roll only. Nothing
here stores or logs the ballot, its confirmation code or anything derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ratsraum.voting.v1 import secret_pb2
from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.polls.progress import ProgressPublisher
from ratsraum_meeting.polls.record_stream import RecordStream, open_record
from ratsraum_meeting.polls.refusals import voting_answer
from ratsraum_meeting.polls.service import get_poll, open_poll
from ratsraum_meeting.polls.voting_client import VotingClient

# Checking a ballot's proofs takes voting tens of milliseconds; a council voting at once
# queues up, so a cast gets more time than a plain write.
CAST_SECONDS = 30.0

NOT_SECRET = Msg(
    "Diese Abstimmung ist nicht geheim; die Stimme wird über POST /polls/{{id}}/ballots "
    "abgegeben.",
    "This vote is not secret; cast through POST /polls/{{id}}/ballots.",
)
NO_RECORD_YET = Msg(
    "Das Protokoll der geheimen Abstimmung liegt erst nach dem Schließen vor.",
    "The record of the secret vote is available only once the vote is closed.",
)
CODE_FORMAT = Msg(
    "Der Bestätigungscode besteht aus den Zeichen 0–9 und A–F, so wie er bei der "
    "Stimmabgabe angezeigt wurde.",
    "The confirmation code consists of 0–9 and A–F, as shown when the ballot was cast.",
)


@dataclass(frozen=True, slots=True)
class SecretCast:
    """What the member's device learns: the code to look up later, and neutral progress."""

    confirmation_code: str
    replayed: bool
    ballots_cast: int


async def _secret(db: Database, tenant: str, poll_id: str) -> Poll:
    async with db.tenant_session(tenant) as session:
        poll = await get_poll(session, poll_id=poll_id)
    if poll.method != "secret":
        raise Problem(409, "poll-not-secret", NOT_SECRET)
    return poll


async def describe(*, db: Database, voting: VotingClient, tenant: str,
                   poll_id: str) -> secret_pb2.SecretPoll:
    """Manifest, context, options and state a device needs to encrypt a ballot."""
    await _secret(db, tenant, poll_id)
    described: secret_pb2.SecretPoll = await voting_answer(voting.call_secret(
        "GetSecretPoll", secret_pb2.GetSecretPollRequest(tenant=tenant, poll_id=poll_id)),
        m.READ_UNAVAILABLE)
    return described


async def cast(*, db: Database, voting: VotingClient, progress: ProgressPublisher,
               tenant: str, poll_id: str, voter_id: str, ballot_json: str) -> SecretCast:
    """Relay the member's encrypted ballot; voting checks its proofs and the roll."""
    await _secret(db, tenant, poll_id)
    answer: secret_pb2.CastSecretBallotResponse = await voting_answer(voting.call_secret(
        "CastSecretBallot", secret_pb2.CastSecretBallotRequest(
            tenant=tenant, poll_id=poll_id, voter_id=voter_id, ballot_json=ballot_json),
        CAST_SECONDS))
    progress.note(tenant=tenant, poll_id=poll_id, ballots_cast=answer.ballots_cast)
    return SecretCast(confirmation_code=answer.confirmation_code, replayed=answer.replayed,
                      ballots_cast=answer.ballots_cast)


async def find_code(*, db: Database, voting: VotingClient, tenant: str, poll_id: str,
                    code: str) -> secret_pb2.FindConfirmationCodeResponse:
    """Whether a confirmation code is among the counted ballots of the published record."""
    poll = await _secret(db, tenant, poll_id)
    if poll.state != "closed":
        raise Problem(409, "secret-record-not-ready", NO_RECORD_YET)
    if not code or any(c not in "0123456789ABCDEFabcdef" for c in code):
        raise Problem(422, "confirmation-code-invalid", CODE_FORMAT)
    found: secret_pb2.FindConfirmationCodeResponse = await voting_answer(voting.call_secret(
        "FindConfirmationCode", secret_pb2.FindConfirmationCodeRequest(
            tenant=tenant, poll_id=poll_id, confirmation_code=code.upper())))
    return found


async def record_stream(*, db: Database, voting: VotingClient, tenant: str,
                        poll_id: str) -> RecordStream:
    """The published election record, file by file (for anyone to verify)."""
    poll = await _secret(db, tenant, poll_id)
    if poll.state != "closed":
        raise Problem(409, "secret-record-not-ready", NO_RECORD_YET)
    return await voting_answer(open_record(voting.secret, tenant=tenant, poll_id=poll_id))


async def open_secret_election(
    *, db: Database, voting: VotingClient, tenant: str, meeting_id: str, item_id: str,
    title: str | None, opened_by: str, candidates: list[tuple[str, str]],
) -> Poll:
    """A secret election of persons; the law gate of opening treats it as an election (remote
    members barred from elections are left off its roll)."""
    return await open_poll(db=db, voting=voting, tenant=tenant, meeting_id=meeting_id,
                           item_id=item_id, method="secret", majority_rule="simple",
                           title=title, opened_by=opened_by, candidates=candidates)
