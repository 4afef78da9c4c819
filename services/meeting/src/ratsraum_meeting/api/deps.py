"""Dependencies shared by the routers: database, voting client, and who may do what.

Roles count per body: a request about a meeting, a poll or a body sees the caller's roles in
that body only (ratsraum_meeting.access); a request about no body sees the roles held in any
body. An id the town does not have is a 404 before any role is looked at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from ratsraum_common.auth import CurrentPrincipal, Principal
from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting import access
from ratsraum_meeting.polls.progress import ProgressPublisher
from ratsraum_meeting.polls.voting_client import VotingClient

# Everyone with a place in a body: declare conflicts, report disruptions, ask for the floor.
PARTICIPANTS = ("member", "deputy", "clerk", "chair", "vice_chair")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_FORBIDDEN_IN_BODY = Msg(
    "In diesem Gremium fehlt Ihnen die Rolle für diese Aktion ({roles}). Rollen gelten je "
    "Gremium; die Verwaltung Ihrer Stadt kann sie vergeben.",
    "In this body you lack the role needed for this action ({roles}). Roles count per body; "
    "your town's office can grant them.",
)
_FORBIDDEN = Msg(
    "Für diese Aktion fehlt Ihnen die Rolle ({roles}).",
    "You lack the role needed for this action ({roles}).",
)
_NOT_IN_BODY = Msg(
    "Diese Sitzung gehört zu einem Gremium, dem Sie nicht angehören; nicht öffentliche Inhalte "
    "sehen nur dessen Mitglieder, die Sitzungsleitung und die Verwaltung. Öffentliches steht "
    "im Ratsinfo-Portal.",
    "This meeting belongs to a body you are not part of; its closed part is for that body's "
    "members and staff and the town's office only. Public content is on the citizens' portal.",
)
_SECOND_FACTOR = Msg(
    "Aktionen der Schriftführung verlangen eine Anmeldung mit zweitem Faktor. Bitte melden Sie "
    "sich ab und mit Ihrer Authenticator-App oder Ihrem Passkey erneut an.",
    "Clerk actions need a sign-in with a second factor. Please sign out and sign in again "
    "with your authenticator app or passkey.",
)


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


def body_cache(state: object) -> access.BodyCache:
    """The app's cache of which body a meeting or poll belongs to."""
    cache: access.BodyCache | None = getattr(state, "body_cache", None)
    if cache is None:
        cache = access.BodyCache()
        state.body_cache = cache  # type: ignore[attr-defined]
    return cache


async def scoped_for(db: Database, cache: access.BodyCache, principal: Principal,
                     params: dict[str, str]) -> tuple[Principal, str | None]:
    """The caller with the roles of the body the path points into, and that body."""
    principal = access.acting(principal)
    async with db.tenant_session(principal.tenant) as session:
        body = await access.body_of(session, tenant=principal.tenant, params=params,
                                    cache=cache)
        if body is None:
            return access.narrowed(principal, access.anywhere(principal)), None
        roles = await access.roles_in_body(session, principal=principal, body_id=body,
                                           cache=cache)
    return access.narrowed(principal, roles), body


async def scoped_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """FastAPI dependency: the caller, holding only their roles in the request's body."""
    done: Principal | None = getattr(request.state, "scoped_principal", None)
    if done is not None:
        return done
    scoped, body = await scoped_for(request.app.state.db, body_cache(request.app.state),
                                    principal, dict(request.path_params))
    request.state.scoped_principal, request.state.body_id = scoped, body
    return scoped


Scoped = Annotated[Principal, Depends(scoped_principal)]


def require_roles(*roles: str) -> Callable[[Request, Principal], Awaitable[Principal]]:
    """FastAPI dependency factory: the caller holds one of these roles in the body (else 403).

    A caller who qualifies only as clerk must have signed in with a second factor for any
    change, when the service requires it (`clerk_mfa_required`).
    """
    wanted = frozenset(roles)

    async def check(request: Request, principal: Scoped) -> Principal:
        matched = principal.roles & wanted
        body = getattr(request.state, "body_id", None)
        if not matched:
            raise Problem(403, "forbidden-in-body" if body else "forbidden",
                          _FORBIDDEN_IN_BODY if body else _FORBIDDEN, roles=", ".join(roles))
        if (matched == {"clerk"} and request.method not in _SAFE_METHODS
                and request.app.state.settings.clerk_needs_mfa and not principal.second_factor):
            raise Problem(403, "second-factor-required", _SECOND_FACTOR)
        return principal

    return check


async def reader(request: Request, principal: Scoped) -> Principal:
    """FastAPI dependency: reads about a body need a place in it (or the town's admin)."""
    body = getattr(request.state, "body_id", None)
    if body is None:
        if not principal.roles:
            raise Problem(403, "forbidden", _FORBIDDEN, roles="member, clerk, chair, admin")
        return principal
    if not principal.roles & access.BODY_READERS:
        raise Problem(403, "not-in-body", _NOT_IN_BODY)
    return principal


DB = Annotated[Database, Depends(get_db)]
Voting = Annotated[VotingClient, Depends(get_voting)]
Progress = Annotated[ProgressPublisher, Depends(get_progress)]
# The body's people (and the town's admin) read; its chair, vice chair and clerk run the
# meeting; members and deputies vote.
Reader = Annotated[Principal, Depends(reader)]
Runner = Annotated[Principal, Depends(require_roles(*access.RUNNERS))]
Voter = Annotated[Principal, Depends(require_roles("member", "deputy"))]
