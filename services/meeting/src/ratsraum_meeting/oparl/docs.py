"""Writing meetings with their agenda items, papers and files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.masterdata.models import File, FileLink, Paper
from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting
from ratsraum_meeting.oparl import parse
from ratsraum_meeting.oparl.store import Context, find, remove, upsert
from ratsraum_meeting.timeutil import now

_MEETING_FILES = ("invitation", "resultsProtocol", "verbatimProtocol")


async def save_file(
    session: AsyncSession, ctx: Context, obj: Any, *, owner_kind: str, owner_id: str, role: str
) -> None:
    """A file, linked to its meeting, agenda item or paper in the given role."""
    r = ctx.report
    if not isinstance(obj, dict):
        r.skip("File", str(obj), "Datei nur als Verweis statt als eingebettetes Objekt "
                                 "geliefert; nicht abgerufen.")
        return
    oparl_id = str(obj.get("id", ""))
    if obj.get("deleted") is True:
        await remove(session, ctx, File, oparl_id, kind="File",
                     before=lambda row: _unlink(session, FileLink.file_id, row.id))
        return
    download = obj.get("downloadUrl")
    if download == "":
        r.repair("File", oparl_id, "download-url-empty",
                 "downloadUrl ist leer; es wird nur die accessUrl verwendet.")
    access = parse.text(obj, "accessUrl", 1000) or (download if isinstance(download, str)
                                                      else "")
    if not oparl_id or not access:
        r.skip("File", oparl_id, "Datei ohne id oder ohne Zugriffs-URL (accessUrl).")
        return
    size = obj.get("size")
    row, _ = await upsert(session, ctx, File, oparl_id, {
        "name": parse.text(obj, "name", 300), "file_name": parse.text(obj, "fileName", 300),
        "mime_type": parse.mime_type(obj, report=r),
        "date": parse.parse_date(obj, "date", kind="File", report=r),
        "size": size if isinstance(size, int) else None,
        "sha1": parse.text(obj, "sha1Checksum", 40) or None, "access_url": access,
        "download_url": download[:1000] if isinstance(download, str) and download else None,
        "text": obj["text"] if isinstance(obj.get("text"), str) else None,
    }, kind="File")
    await session.flush()
    link = (await session.scalars(select(FileLink).where(
        FileLink.file_id == row.id, FileLink.owner_kind == owner_kind,
        FileLink.owner_id == owner_id, FileLink.role == role))).first()
    if link is None:
        session.add(FileLink(file_id=row.id, owner_kind=owner_kind, owner_id=owner_id,
                             role=role))


async def _unlink(session: AsyncSession, column: Any, value: str) -> None:
    await session.execute(delete(FileLink).where(column == value))


async def _body_of(session: AsyncSession, obj: dict[str, Any]) -> Body | None:
    refs = obj.get("organization")
    for ref in refs if isinstance(refs, list) else [refs]:
        if isinstance(ref, str) and (body := await find(session, Body, ref)) is not None:
            return body
    return None


def _location(obj: dict[str, Any]) -> str:
    place = obj.get("location")
    if isinstance(place, dict):
        parts = [parse.text(place, "description", 300), parse.text(place, "room", 100)]
        return ", ".join(p for p in parts if p)[:300]
    return ""


async def _drop_meeting_parts(session: AsyncSession, meeting: Meeting) -> None:
    items = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id)
    await session.execute(delete(FileLink).where(FileLink.owner_id.in_(items)))
    await _unlink(session, FileLink.owner_id, meeting.id)
    await session.execute(delete(AgendaItem).where(AgendaItem.meeting_id == meeting.id))


async def save_meeting(session: AsyncSession, ctx: Context, obj: dict[str, Any]) -> None:
    """A meeting with its files and its agenda (in the source's order)."""
    oparl_id = str(obj["id"])
    r = ctx.report
    if obj.get("deleted") is True:
        await remove(session, ctx, Meeting, oparl_id, kind="Meeting",
                     before=lambda row: _drop_meeting_parts(session, row))
        return
    body = await _body_of(session, obj)
    starts_at = parse.parse_datetime(obj.get("start"))
    if body is None:
        r.skip("Meeting", oparl_id, "Sitzung ohne bekanntes Gremium (organization); "
                                    "Ratsraum ordnet jede Sitzung einem Gremium zu.")
        return
    if starts_at is None:
        r.skip("Meeting", oparl_id, "Sitzung ohne (gültigen) Beginn (start).")
        return
    meeting, outcome = await upsert(session, ctx, Meeting, oparl_id, {
        "body_id": body.id,
        "title": parse.text(obj, "name", 300) or f"Sitzung {body.name}"[:300],
        "starts_at": starts_at, "ends_at": parse.parse_datetime(obj.get("end")),
        "location": _location(obj),
    }, kind="Meeting", on_create={
        # A meeting already over when imported is history, not something to run.
        "status": "closed" if starts_at < now() else "scheduled", "version": 0,
    })
    await session.flush()
    for role in _MEETING_FILES:
        if obj.get(role) is not None:
            await save_file(session, ctx, obj[role], owner_kind="meeting",
                            owner_id=meeting.id, role=role)
    for aux in parse.as_list(obj, "auxiliaryFile", kind="Meeting", report=r):
        await save_file(session, ctx, aux, owner_kind="meeting", owner_id=meeting.id,
                        role="auxiliaryFile")
    items_changed = await _save_agenda(session, ctx, obj, meeting=meeting)
    if outcome != "unchanged" or items_changed:
        ctx.changed_meetings.add(meeting.id)


async def _save_agenda(
    session: AsyncSession, ctx: Context, obj: dict[str, Any], *, meeting: Meeting
) -> bool:
    """The meeting's agenda items; items no longer listed are removed. True if any changed."""
    r = ctx.report
    changed = False
    listed: set[str] = set()
    for index, item in enumerate(parse.as_list(obj, "agendaItem", kind="Meeting", report=r)):
        if not isinstance(item, dict) or not item.get("id"):
            r.skip("AgendaItem", str(item)[:200], "Tagesordnungspunkt ohne id.")
            continue
        item_id = str(item["id"])
        if item.get("deleted") is True:
            continue
        listed.add(item_id)
        order = item.get("order")
        if not isinstance(order, int):
            r.repair("AgendaItem", item_id, "order-missing",
                     "Pflichtfeld „order“ fehlt; die Position in der Sitzung wird verwendet.")
            order = index
        row, outcome = await upsert(session, ctx, AgendaItem, item_id, {
            "meeting_id": meeting.id, "number": parse.text(item, "number", 20),
            "position": order + 1,
            "title": parse.text(item, "name", 500) or parse.text(item, "number", 500),
            "public": item.get("public") is not False,
            "result": parse.text(item, "result", 300) or None,
            "resolution_text": item["resolutionText"]
            if isinstance(item.get("resolutionText"), str) else None,
        }, kind="AgendaItem", on_create={"status": "pending", "votable": False})
        changed = changed or outcome != "unchanged"
        await session.flush()
        if item.get("resolutionFile") is not None:
            await save_file(session, ctx, item["resolutionFile"], owner_kind="agenda_item",
                            owner_id=row.id, role="resolutionFile")
        for aux in parse.as_list(item, "auxiliaryFile", kind="AgendaItem", report=r):
            await save_file(session, ctx, aux, owner_kind="agenda_item", owner_id=row.id,
                            role="auxiliaryFile")
    stale = (await session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.oparl_id.is_not(None),
        AgendaItem.oparl_id.not_in(listed) if listed else AgendaItem.oparl_id.is_not(None),
    ))).all()
    for item_row in stale:
        await remove(session, ctx, AgendaItem, str(item_row.oparl_id), kind="AgendaItem",
                     before=lambda row: _unlink(session, FileLink.owner_id, row.id))
        changed = True
    return changed


async def save_paper(session: AsyncSession, ctx: Context, obj: dict[str, Any]) -> None:
    """A paper with its files, locations and the agenda items that consult it."""
    oparl_id = str(obj["id"])
    r = ctx.report
    if obj.get("deleted") is True:
        await remove(session, ctx, Paper, oparl_id, kind="Paper",
                     before=lambda row: _detach_paper(session, row))
        return
    name = parse.text(obj, "name", 500) or parse.text(obj, "reference", 500)
    if not name:
        r.skip("Paper", oparl_id, "Drucksache ohne Namen und ohne Aktenzeichen.")
        return
    locations = []
    for place in parse.as_list(obj, "location", kind="Paper", report=r):
        if isinstance(place, dict):
            lonlat = parse.point(place.get("geojson"), kind="Paper", oparl_id=oparl_id, report=r)
            locations.append({"description": parse.text(place, "description", 300),
                              "lon": lonlat[0] if lonlat else None,
                              "lat": lonlat[1] if lonlat else None})
    paper, _ = await upsert(session, ctx, Paper, oparl_id, {
        "name": name, "reference": parse.text(obj, "reference", 80),
        "paper_type": parse.text(obj, "paperType", 120),
        "date": parse.parse_date(obj, "date", kind="Paper", report=r), "locations": locations,
    }, kind="Paper")
    await session.flush()
    if obj.get("mainFile") is not None:
        await save_file(session, ctx, obj["mainFile"], owner_kind="paper", owner_id=paper.id,
                        role="mainFile")
    for aux in parse.as_list(obj, "auxiliaryFile", kind="Paper", report=r):
        await save_file(session, ctx, aux, owner_kind="paper", owner_id=paper.id,
                        role="auxiliaryFile")
    for consultation in parse.as_list(obj, "consultation", kind="Paper", report=r):
        ref = consultation.get("agendaItem") if isinstance(consultation, dict) else None
        item = await find(session, AgendaItem, ref) if isinstance(ref, str) else None
        if item is not None and item.paper_id != paper.id:
            item.paper_id = paper.id
            ctx.changed_meetings.add(item.meeting_id)


async def _detach_paper(session: AsyncSession, paper: Paper) -> None:
    await session.execute(update(AgendaItem).where(AgendaItem.paper_id == paper.id)
                          .values(paper_id=None).execution_options(synchronize_session=False))
    await _unlink(session, FileLink.owner_id, paper.id)
