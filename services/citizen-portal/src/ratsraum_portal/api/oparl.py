"""OParl 1.1: a public meeting as oparl:Meeting, its signed minutes as oparl:File.

The minutes are a results protocol (Ergebnisprotokoll: decisions and votes, not every word), so
OParl's `Meeting.resultsProtocol` carries them; `verbatimProtocol` stays unset. OParl knows no
SHA-256 checksum; the File gives `sha512Checksum` of exactly the bytes at `accessUrl`, whose
SHA-256 the meeting page and the `X-Content-SHA256` header name.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_portal.api.common import MINUTES_NOT_FOUND, NotFound, load_meeting
from ratsraum_portal.api.oparl_objects import Related, Urls, embed, render
from ratsraum_portal.api.oparl_records import record_object, related
from ratsraum_portal.context import Ctx
from ratsraum_portal.meetings.models import PublicMeetingView
from ratsraum_portal.meetings.schemas import parse_timestamp
from ratsraum_portal.meetings.service import is_meeting_id, modified_at
from ratsraum_portal.minutes.models import PublicMinutes
from ratsraum_portal.minutes.service import get_minutes, signed_at
from ratsraum_portal.minutes.view import document_path
from ratsraum_portal.records.models import PublicRecord
from ratsraum_portal.records.service import item_key, live_by_ids

router = APIRouter(prefix="/oparl/v1", tags=["OParl 1.1"])
SCHEMA = "https://schema.oparl.org/1.1/"
# OParl 1.1 recommends three words for meetingState: "terminiert" (planned), "eingeladen"
# (from the invitation until the minutes are released) and "durchgeführt" (minutes released).
PLANNED, INVITED, HELD = "terminiert", "eingeladen", "durchgeführt"
FILE_PREFIX = "minutes-"


def _iso(value: Any) -> str | None:
    parsed = parse_timestamp(value)
    return parsed.isoformat() if parsed else None


def _urls(base: str, tenant: str, meeting_id: str) -> dict[str, str]:
    return {
        "meeting": f"{base}/oparl/v1/{tenant}/meetings/{meeting_id}",
        "file": f"{base}/oparl/v1/{tenant}/files/{FILE_PREFIX}{meeting_id}",
        "web": f"{base}/{tenant}/sitzungen/{meeting_id}",
        "document": f"{base}{document_path(tenant, meeting_id)}",
    }


def minutes_file(base: str, minutes: PublicMinutes, title: str) -> dict[str, Any]:
    """The signed minutes' public part as an oparl:File."""
    urls = _urls(base, minutes.tenant_id, minutes.meeting_id)
    content = minutes.public_html.encode("utf-8")
    signed = signed_at(minutes)
    return {
        "id": urls["file"], "type": f"{SCHEMA}File",
        "name": f"Niederschrift (öffentlicher Teil) – {title}",
        "fileName": f"niederschrift-{minutes.meeting_id}.html", "mimeType": "text/html",
        "date": signed.date().isoformat(), "size": len(content),
        "sha512Checksum": hashlib.sha512(content).hexdigest(),
        "accessUrl": urls["document"], "downloadUrl": f"{urls['document']}?download=1",
        "meeting": [urls["meeting"]], "created": signed.isoformat(),
        "modified": signed.isoformat(), "web": urls["web"],
    }


def meeting_state(*, status: str, minutes_signed: bool) -> str:
    """OParl's recommended meetingState: held only once the session ended and minutes are signed."""
    if status == "scheduled":
        return PLANNED
    if status == "closed" and minutes_signed:
        return HELD
    return INVITED


def _item_records(row: PublicMeetingView, rel: Related) -> list[PublicRecord]:
    """The meeting's public agenda items as records; from the snapshot if none are stored yet
    (a meeting last changed before the portal kept items as records)."""
    stored = [r for r, _ in rel.of("agenda_item", "meeting", row.id)]
    if not stored:
        stored = [PublicRecord(kind="agenda_item", id=item_key(row.id, str(i.get("id", ""))),
                               data={**i, "meeting_id": row.id}, deleted=False,
                               created_at=row.created_at or row.updated_at,
                               modified_at=row.updated_at)
                  for i in row.snapshot.get("agenda", []) if i.get("id")]
    return sorted(stored, key=lambda r: int(r.data.get("position", 0)))


def _files(urls: Urls, rel: Related, meeting_id: str, role: str) -> list[dict[str, Any]]:
    return [embed(urls, f) for f, r in rel.of("file", "meeting", meeting_id) if r == role]


def participant_ids(minutes: PublicMinutes | None) -> list[str]:
    """Who took part by the signed minutes' public attendance list (never the absent)."""
    listed = minutes.content.get("participants", []) if minutes else []
    return [str(p["person_id"]) for p in listed
            if p.get("person_id") and p.get("presence", "absent") != "absent"]


async def public_persons(session: AsyncSession, ids: list[str]) -> frozenset[str]:
    """Those of these persons the town publishes (members of a body, not deleted)."""
    return frozenset(r.id for r in await live_by_ids(session=session, kind="person", ids=ids))


def meeting_object(base: str, row: PublicMeetingView, minutes: PublicMinutes | None,
                   rel: Related, persons: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A public meeting as an oparl:Meeting, with its signed minutes when there are some.

    `participant` names who took part by the signed minutes, only persons in `persons` (the
    town's published persons): before the minutes are signed a meeting names none.
    """
    snapshot = row.snapshot
    urls = _urls(base, row.tenant_id, row.id)
    objects = Urls(base, row.tenant_id)
    decisions = {str(i.get("id", "")): str(i.get("decision", ""))
                 for i in (minutes.content.get("items", []) if minutes else [])}
    items = []
    for record in _item_records(row, rel):
        item = render(objects, record, rel)
        decision = decisions.get(str(record.data.get("id", "")))
        if decision:
            item["resolutionText"] = decision
        items.append(item)
    body_id = str(snapshot.get("body_id", ""))
    invitation = _files(objects, rel, row.id, "invitation")
    place = next((embed(objects, r) for r, _ in rel.of("location", "meeting", row.id)), None)
    took_part = [objects.of("person", p) for p in dict.fromkeys(participant_ids(minutes))
                 if p in persons]
    out: dict[str, Any] = {
        "id": urls["meeting"], "type": f"{SCHEMA}Meeting", "name": row.title,
        "meetingState": meeting_state(status=row.status, minutes_signed=minutes is not None),
        "cancelled": False,
        "location": place,
        "organization": [objects.of("organization", body_id)] if body_id else None,
        "participant": took_part or None,
        "agendaItem": items or None,
        "invitation": invitation[0] if invitation else None,
        "auxiliaryFile": _files(objects, rel, row.id, "auxiliaryFile") or None,
        "web": urls["web"], "modified": modified_at(row).isoformat(),
        "created": row.created_at.isoformat() if row.created_at else None,
    }
    start = _iso(snapshot.get("starts_at"))
    if start:
        out["start"] = start
    if minutes is not None:
        protocol = minutes_file(base, minutes, row.title)
        protocol.pop("meeting")  # embedded: no back-reference (OParl File.meeting)
        out["resultsProtocol"] = protocol
    return {k: v for k, v in out.items() if v is not None}


async def meeting_related(session: AsyncSession, meeting_ids: list[str]) -> Related:
    """What the meetings embed or link: their agenda items (with theirs) and files."""
    return await related(session, "meeting", meeting_ids)


async def _minutes(ctx: Ctx, row: PublicMeetingView) -> PublicMinutes | None:
    async with ctx.db.tenant_session(row.tenant_id) as session:
        return await get_minutes(session=session, meeting_id=row.id)


@router.get("/{tenant}/meetings/{meeting_id}")
async def oparl_meeting(tenant: str, meeting_id: str, ctx: Ctx) -> dict[str, Any]:
    """oparl:Meeting of a public meeting; `resultsProtocol` once the minutes are signed."""
    row = await load_meeting(ctx, tenant, meeting_id)
    minutes = await _minutes(ctx, row)
    async with ctx.db.tenant_session(row.tenant_id) as session:
        rel = await meeting_related(session, [row.id])
        persons = await public_persons(session, participant_ids(minutes))
    return meeting_object(ctx.settings.public_base_url, row, minutes, rel, persons)


@router.get("/{tenant}/files/{file_id}")
async def oparl_file(tenant: str, file_id: str, ctx: Ctx) -> dict[str, Any]:
    """oparl:File: a meeting's signed minutes (public part), or a published document."""
    if not file_id.startswith(FILE_PREFIX):
        return await record_object(ctx, tenant, "file", file_id)
    meeting_id = file_id.removeprefix(FILE_PREFIX)
    if not is_meeting_id(meeting_id):
        raise NotFound(MINUTES_NOT_FOUND)
    row = await load_meeting(ctx, tenant, meeting_id)
    minutes = await _minutes(ctx, row)
    if minutes is None:
        raise NotFound(MINUTES_NOT_FOUND)
    return minutes_file(ctx.settings.public_base_url, minutes, row.title)
