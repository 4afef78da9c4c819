"""Reading and changing master data within the caller's town."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.masterdata.models import File, FileLink, Paper
from ratsraum_meeting.meetings.models import AgendaItem, Body, Membership, Person

T = TypeVar("T")

NOT_FOUND = Msg("Diesen Eintrag ({what}) gibt es nicht (oder nicht in Ihrer Kommune).",
                "There is no such {what} (or not in your town).")
_DATES = Msg("Das Ende darf nicht vor dem Beginn liegen.", "The end must not precede the start.")
_SEAT_TAKEN = Msg("Die Person hat in diesem Gremium bereits eine Mitgliedschaft.",
                  "The person already holds a seat in this body.")
_PERSON_EXISTS = Msg("Eine Person mit dieser Kennung gibt es bereits.",
                     "A person with this id already exists.")


async def get_or_404(session: AsyncSession, model: type[T], row_id: Any, *, what: str) -> T:
    """The town's row with this id, or a 404 problem naming what was sought.

    A query, not `session.get`: persons are keyed by (town, id), and the session's town
    filter answers for every model alike.
    """
    key = model.id  # type: ignore[attr-defined]
    row = await session.scalar(select(model).where(key == row_id))
    if row is None:
        raise Problem(404, "not-found", NOT_FOUND, what=what)
    return row


async def list_rows(session: AsyncSession, model: type[T], *order: Any,
                    where: Sequence[Any] = (), limit: int | None = None,
                    offset: int = 0) -> list[T]:
    """The town's rows of a model in the given order (a page of them when limited)."""
    query = select(model).where(*where).order_by(*order).offset(offset).limit(limit)
    return list((await session.scalars(query)).all())


def check_dates(start: date | None, end: date | None) -> None:
    """Refuse a period that ends before it starts."""
    if start is not None and end is not None and end < start:
        raise Problem(422, "invalid-period", _DATES)


def apply(row: object, changes: dict[str, Any]) -> None:
    """Set the given attributes on a row."""
    for key, value in changes.items():
        setattr(row, key, value)


async def create_person(session: AsyncSession, *, values: dict[str, Any]) -> Person:
    """A new person (id from identity when given, else a new one)."""
    person_id = values.pop("id", None) or str(uuid.uuid4())
    if await session.scalar(select(Person.id).where(Person.id == person_id)) is not None:
        raise Problem(409, "person-exists", _PERSON_EXISTS)
    person = Person(id=person_id, **values)
    session.add(person)
    return person


async def create_membership(session: AsyncSession, *, values: dict[str, Any]) -> Membership:
    """A new seat; the body and person must be the town's, one seat per person and body."""
    await get_or_404(session, Body, values["body_id"], what="Gremium")
    await get_or_404(session, Person, values["person_id"], what="Person")
    check_dates(values.get("start_date"), values.get("end_date"))
    taken = await session.scalar(select(Membership.id).where(
        Membership.body_id == values["body_id"], Membership.person_id == values["person_id"]))
    if taken is not None:
        raise Problem(409, "seat-taken", _SEAT_TAKEN)
    membership = Membership(**values)
    session.add(membership)
    await session.flush()
    return membership


async def paper_detail(session: AsyncSession, *, paper: Paper
                       ) -> tuple[list[tuple[File, str]], list[str]]:
    """A paper's files with their roles, and the agenda items that consult it."""
    files = (await session.execute(
        select(File, FileLink.role).join(FileLink, FileLink.file_id == File.id)
        .where(FileLink.owner_kind == "paper", FileLink.owner_id == paper.id)
        .order_by(FileLink.role, File.name)
    )).all()
    items = (await session.scalars(
        select(AgendaItem.id).where(AgendaItem.paper_id == paper.id))).all()
    return [(f, role) for f, role in files], list(items)
