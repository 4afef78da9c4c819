"""Who may act in which body: the caller's roles narrowed to the body a request is about.

Identity's tokens name roles per body (`body_roles`: `{"body": id, "role": "chair"}`) and
the roles held in the whole town (`town_roles`: "admin", "operator"); see identity's README,
"Roles in tokens". Body roles are taken as they stand: identity is where the town's office
keeps them.

Town-wide "member" and "chair" (every role of an old-shape token, and `town_roles` of towns
set up before body roles) are narrowed with meeting's own membership data (imported from the
council information system): they count only in a body where the person holds that seat.

A "clerk" counts in every body only where identity says so: "clerk" in `town_roles`, which a
town admin grants on purpose (a council office keeping every body's records). A "clerk" in an
old-shape token (no `town_roles`/`body_roles`) states nothing about bodies and grants nothing
body-scoped; meeting has no seat data for clerks to narrow it with.

A token may name the meeting person the account stands for (`person`, set when the town
links the account to a person imported from OParl); meeting then acts for that person.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.auth import TOWN_ROLES, Principal
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.meetings.models import Body, Meeting, Membership
from ratsraum_meeting.meetings.service import MEETING_NOT_FOUND
from ratsraum_meeting.polls.messages import POLL_NOT_FOUND
from ratsraum_meeting.polls.models import Poll
from ratsraum_meeting.profiles.service import BODY_NOT_FOUND

# Roles that run a meeting of their body (the vice chair stands in for the chair).
RUNNERS = frozenset({"chair", "vice_chair", "clerk"})
# Everyone who belongs to a body and may read its closed part.
BODY_PEOPLE = frozenset({"member", "deputy", "chair", "vice_chair", "clerk"})
# Who reads a body's meetings with their closed part: its people and the town's admin (the
# council office keeping the town's records, which sees the master data and papers anyway).
BODY_READERS = BODY_PEOPLE | {"admin"}

# How long a person's seats, read for a town-wide role, are trusted before being read again.
SEATS_SECONDS = 30.0
NOT_FOUND = Msg("Diese Adresse gibt es nicht.", "There is nothing at this address.")
_MISSING = {"meeting": ("meeting-not-found", MEETING_NOT_FOUND),
            "poll": ("poll-not-found", POLL_NOT_FOUND),
            "body": ("body-not-found", BODY_NOT_FOUND)}


class BodyCache:
    """Which body a meeting or poll belongs to; that never changes, so it is kept (bounded).

    It also keeps, for SEATS_SECONDS, what a town-wide role amounts to in a body (a
    membership query otherwise made by every request of an old-shape token, casts included).
    """

    def __init__(self, size: int = 20_000) -> None:
        self._known: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._seats: OrderedDict[tuple[str, str, str, frozenset[str]],
                                 tuple[float, frozenset[str]]] = OrderedDict()
        self._size = size

    def seats(self, key: tuple[str, str, str, frozenset[str]]) -> frozenset[str] | None:
        """Roles remembered for (town, person, body, town-wide roles), if still fresh."""
        found = self._seats.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def keep_seats(self, key: tuple[str, str, str, frozenset[str]],
                   roles: frozenset[str]) -> None:
        """Remember what town-wide roles amount to in a body, for a short while."""
        self._seats[key] = (time.monotonic() + SEATS_SECONDS, roles)
        if len(self._seats) > self._size:
            self._seats.popitem(last=False)

    def get(self, tenant: str, kind: str, key: str) -> str | None:
        """The body remembered for this object, if any."""
        return self._known.get((tenant, kind, key))

    def put(self, tenant: str, kind: str, key: str, body_id: str) -> None:
        """Remember the body of an object."""
        self._known[(tenant, kind, key)] = body_id
        if len(self._known) > self._size:
            self._known.popitem(last=False)


async def body_of(
    session: AsyncSession, *, tenant: str, params: Mapping[str, str], cache: BodyCache
) -> str | None:
    """The body a request's path points into, or None; 404 for an id the town does not have.

    The same answer for an id of another town and one that never existed, so nobody learns
    what other towns hold.
    """
    found: set[str] = set()
    meeting_id = params.get("meeting_id")
    if meeting_id is not None:
        found.add(await _lookup(session, tenant, "meeting", meeting_id, cache))
    poll_id = params.get("poll_id")
    if poll_id is not None:
        found.add(await _lookup(session, tenant, "poll", poll_id, cache))
    body_id = params.get("body_id")
    if body_id is not None:
        found.add(await _lookup(session, tenant, "body", body_id, cache))
    if len(found) > 1:  # e.g. a poll of another body's meeting under this meeting's path
        raise Problem(404, "not-found", NOT_FOUND)
    return found.pop() if found else None


async def _lookup(session: AsyncSession, tenant: str, kind: str, key: str,
                  cache: BodyCache) -> str:
    known = cache.get(tenant, kind, key)
    if known is not None:
        return known
    if kind == "meeting":
        body = await session.scalar(select(Meeting.body_id).where(Meeting.id == key))
    elif kind == "poll":
        body = await session.scalar(select(Meeting.body_id).join(
            Poll, Poll.meeting_id == Meeting.id).where(Poll.id == key))
    else:
        body = await session.scalar(select(Body.id).where(Body.id == key))
    if body is None:
        code, message = _MISSING[kind]
        raise Problem(404, code, message)
    cache.put(tenant, kind, key, body)
    return body


async def roles_in_body(session: AsyncSession, *, principal: Principal, body_id: str,
                        cache: BodyCache) -> frozenset[str]:
    """The caller's roles for one body, town-wide roles included."""
    wide = principal.wide_roles
    held = set(principal.roles_in(body_id))
    key = (principal.tenant, principal.subject, body_id, wide)
    seats = cache.seats(key)
    if seats is None:
        seats = frozenset(await _town_wide_roles(session, principal=principal, body_id=body_id))
        cache.keep_seats(key, seats)
    held |= seats
    if held & {"chair", "vice_chair"}:
        held.add("member")  # a chair holds a seat of the body
    return frozenset(held) | (wide & TOWN_ROLES)


async def _town_wide_roles(session: AsyncSession, *, principal: Principal,
                           body_id: str) -> set[str]:
    """Town-wide body roles, narrowed to the seats meeting knows in this body."""
    wide = principal.wide_roles
    held: set[str] = set()
    if clerk_of_every_body(principal):
        held.add("clerk")
    if not wide & {"member", "chair"}:
        return held
    today = date.today()
    seats = (await session.scalars(select(Membership.role).where(
        Membership.body_id == body_id, Membership.person_id == principal.subject,
        (Membership.end_date.is_(None)) | (Membership.end_date >= today)))).all()
    for seat in seats:
        if seat == "chair" and "chair" in wide:
            held.add("chair")
        if "member" in wide:
            held.add("deputy" if seat == "deputy" else "member")
    return held


def clerk_of_every_body(principal: Principal) -> bool:
    """Identity made the account clerk of every body of the town (`town_roles` has "clerk")."""
    return principal.town_roles is not None and "clerk" in principal.town_roles


def anywhere(principal: Principal) -> frozenset[str]:
    """The caller's roles in any body, for requests about no body in particular."""
    every = {role for _body, role in principal.body_roles}
    if every & {"chair", "vice_chair"}:
        every.add("member")
    held = principal.roles if principal.body_scoped else principal.roles - {"clerk"}
    return held | frozenset(every)


def bodies_of(principal: Principal, *, roles: frozenset[str] = BODY_PEOPLE) -> frozenset[str]:
    """Bodies where the token gives one of these roles (new-shape tokens only)."""
    return frozenset(body for body, role in principal.body_roles if role in roles)


async def reachable_bodies(session: AsyncSession, *,
                           principal: Principal) -> frozenset[str] | None:
    """Bodies whose meetings the caller may see; None means every body of the town.

    Those of the token's body roles, and for town-wide roles: every body for a clerk of
    every body, the bodies of the person's seats for a member or chair.
    """
    wide = principal.wide_roles
    if clerk_of_every_body(principal):
        return None
    seats: frozenset[str] = frozenset()
    if wide & {"member", "chair"}:
        rows = await session.scalars(select(Membership.body_id).where(
            Membership.person_id == principal.subject))
        seats = frozenset(rows.all())
    return bodies_of(principal) | seats


def acting(principal: Principal) -> Principal:
    """The caller as the meeting person they act for: the `person` claim, else the subject."""
    person = principal.claims.get("person")
    if isinstance(person, str) and 0 < len(person) <= 64 and person != principal.subject:
        return dataclasses.replace(principal, subject=person)
    return principal


def narrowed(principal: Principal, roles: frozenset[str]) -> Principal:
    """The same caller holding exactly these roles (for the request at hand)."""
    return dataclasses.replace(principal, roles=roles)
