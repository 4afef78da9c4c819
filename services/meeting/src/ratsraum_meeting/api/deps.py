"""Dependencies shared by the routers: database, voting client, and who may do what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ratsraum_common.auth import ROLES, Principal, require_roles
from ratsraum_common.db import Database
from ratsraum_meeting.polls.progress import ProgressPublisher
from ratsraum_meeting.polls.voting_client import VotingClient


# These are `async def` although they do not await: FastAPI runs a plain `def` dependency in
# its thread pool, and three thread hops per request were a fifth of meeting's CPU per ballot.
async def get_db(request: Request) -> Database:
    """The service's database."""
    db: Database = request.app.state.db
    return db


async def get_voting(request: Request) -> VotingClient:
    """The client of the voting service."""
    voting: VotingClient = request.app.state.voting
    return voting


async def get_progress(request: Request) -> ProgressPublisher:
    """Where casts note the live vote progress for the public."""
    progress: ProgressPublisher = request.app.state.progress
    return progress


DB = Annotated[Database, Depends(get_db)]
Voting = Annotated[VotingClient, Depends(get_voting)]
Progress = Annotated[ProgressPublisher, Depends(get_progress)]
# Any role in the town may read; clerks and chairs run the meeting; members vote.
Reader = Annotated[Principal, Depends(require_roles(*ROLES))]
Runner = Annotated[Principal, Depends(require_roles("clerk", "chair"))]
Voter = Annotated[Principal, Depends(require_roles("member"))]
