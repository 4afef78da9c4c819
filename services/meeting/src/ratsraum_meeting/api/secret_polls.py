"""Endpoints of secret polls: what a device encrypts with, casting, code lookup, the record.

Opening (`POST …/polls` with `"method": "secret"`), closing, cancelling and re-running use
the endpoints every poll has; a secret election has its own opening endpoint here.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ratsraum_common.problems import Problem
from ratsraum_meeting import live
from ratsraum_meeting.api.deps import DB, Progress, Reader, Runner, Voter, Voting
from ratsraum_meeting.api.polls import live_poll
from ratsraum_meeting.polls import law_gate, secret
from ratsraum_meeting.polls import messages as m
from ratsraum_meeting.polls.record_stream import zip_chunks
from ratsraum_meeting.polls.schemas import ElectionCreate, PollOut

router = APIRouter(prefix="/api/v1", tags=["secret polls"])
MAX_BALLOT_CHARS = 1_000_000


class OptionOut(BaseModel):
    """One option on the ballot."""

    id: str
    label: str


class SecretPollOut(BaseModel):
    """What a member's device needs to encrypt a ballot (ratsraum-ballot-client)."""

    poll_id: str
    state: str
    manifest_json: str = Field(description="ElectionGuard manifest (JSON)")
    context_json: str = Field(description="ElectionGuard election context with the joint key")
    options: list[OptionOut]
    roll_size: int
    ballots_cast: int
    has_voted: bool
    guardians: list[str]
    quorum: int


class SecretBallotIn(BaseModel):
    """An encrypted ballot with its proofs, as `encrypt_choice(...).ballot_json` makes it."""

    model_config = ConfigDict(extra="forbid")

    ballot_json: str = Field(min_length=2, max_length=MAX_BALLOT_CHARS)


class SecretBallotOut(BaseModel):
    """The receipt: the code to find the ballot in the published record later."""

    confirmation_code: str
    replayed: bool
    ballots_cast: int


class CodeLookupOut(BaseModel):
    """Whether the ballot with this code was counted, and the record it was found in."""

    confirmation_code: str
    found: bool
    record_sha256: str


_STATES = {1: "open", 2: "closed", 3: "cancelled", 4: "closed", 5: "void"}


@router.get("/polls/{poll_id}/secret")
async def describe(poll_id: str, principal: Reader, db: DB, voting: Voting) -> SecretPollOut:
    """Manifest, context and options of a secret poll, for the device to encrypt with."""
    described = await secret.describe(db=db, voting=voting, tenant=principal.tenant,
                                      poll_id=poll_id)
    return SecretPollOut(
        poll_id=described.poll_id, state=_STATES.get(described.poll.state, "open"),
        manifest_json=described.manifest_json, context_json=described.context_json,
        options=[OptionOut(id=o.id, label=o.label) for o in described.poll.options],
        roll_size=described.roll_size, ballots_cast=described.ballots_cast,
        has_voted=principal.subject in described.poll.voted,
        guardians=list(described.guardians), quorum=described.quorum,
    )


@router.post("/polls/{poll_id}/secret-ballots", status_code=status.HTTP_201_CREATED)
async def cast(poll_id: str, ballot: SecretBallotIn, principal: Voter, db: DB, voting: Voting,
               progress: Progress, response: Response) -> SecretBallotOut:
    """Cast the caller's encrypted ballot; sending the same ballot again counts it once."""
    outcome = await secret.cast(db=db, voting=voting, progress=progress,
                                tenant=principal.tenant, poll_id=poll_id,
                                voter_id=principal.subject, ballot_json=ballot.ballot_json)
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    return SecretBallotOut(confirmation_code=outcome.confirmation_code,
                           replayed=outcome.replayed, ballots_cast=outcome.ballots_cast)


@router.get("/polls/{poll_id}/secret-record/codes/{code}")
async def find_code(poll_id: str, code: str, principal: Reader, db: DB,
                    voting: Voting) -> CodeLookupOut:
    """Look a confirmation code up in the published election record."""
    found = await secret.find_code(db=db, voting=voting, tenant=principal.tenant,
                                   poll_id=poll_id, code=code[:128])
    return CodeLookupOut(confirmation_code=code.upper(), found=found.found,
                         record_sha256=found.record_sha256)


@router.get("/polls/{poll_id}/secret-record", response_class=Response,
            responses={200: {"content": {"application/zip": {}}}})
async def record(poll_id: str, principal: Reader, db: DB,
                 voting: Voting) -> StreamingResponse:
    """The published election record as a ZIP, to check with `ratsraum-verify-secret`."""
    record = await secret.record_stream(db=db, voting=voting, tenant=principal.tenant,
                                        poll_id=poll_id)
    # Streamed as voting sends it: the record grows with every ballot, memory here does not.
    return StreamingResponse(zip_chunks(record.files), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="geheime-abstimmung-{poll_id}.zip"',
        "X-Record-SHA256": record.sha256})


@router.post("/meetings/{meeting_id}/agenda-items/{item_id}/secret-elections",
             status_code=status.HTTP_201_CREATED)
async def open_secret_election(meeting_id: str, item_id: str, body: ElectionCreate,
                               principal: Runner, db: DB, voting: Voting) -> PollOut:
    """Open a secret election of persons among the clerk's candidates."""
    if len({c.id for c in body.candidates}) != len(body.candidates) or len(body.candidates) < 2:
        raise Problem(422, "candidates-required", m.CANDIDATES_REQUIRED)
    poll = await secret.open_secret_election(
        db=db, voting=voting, tenant=principal.tenant, meeting_id=meeting_id, item_id=item_id,
        title=body.title, opened_by=principal.subject,
        candidates=[(c.id, c.name) for c in body.candidates])
    # The election takes the members' screens as any vote does.
    live.notify(tenant=principal.tenant, meeting_id=meeting_id, kind="poll",
                data=live_poll(poll))
    return PollOut.of(poll, remote_excluded=await law_gate.exclusion_of(
        db=db, tenant=principal.tenant, poll_id=poll.id))
