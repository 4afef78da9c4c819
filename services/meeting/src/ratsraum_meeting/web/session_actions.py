"""Staff form actions beside the votes: speakers list, disruptions, invitations, minutes."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from ratsraum_meeting.web.backend import Backend
from ratsraum_meeting.web.render import BERLIN
from ratsraum_meeting.web.staff import FormInvalid, act, reason_of

router = APIRouter(include_in_schema=False)
BASE = "/sitzungen/{meeting_id}/konsole"
SPEAKERS = BASE + "/redeliste/{item_id}"


def _speakers(meeting_id: str, item_id: str) -> str:
    return f"/meetings/{meeting_id}/agenda-items/{item_id}/speakers"


@router.post(SPEAKERS + "/naechste")
async def next_speaker(request: Request, meeting_id: str, item_id: str) -> Response:
    """Give the floor to the next one waiting."""

    async def call(api: Backend, _form: FormData) -> None:
        await api.post(f"{_speakers(meeting_id, item_id)}/next")

    return await act(request, meeting_id, ok="staff.ok.speakers", call=call,
                     default_back="speakers")


@router.post(SPEAKERS + "/beenden")
async def end_speech(request: Request, meeting_id: str, item_id: str) -> Response:
    """End the current speech."""

    async def call(api: Backend, _form: FormData) -> None:
        await api.post(f"{_speakers(meeting_id, item_id)}/end")

    return await act(request, meeting_id, ok="staff.ok.speakers", call=call,
                     default_back="speakers")


@router.post(SPEAKERS + "/eintragen")
async def add_speaker(request: Request, meeting_id: str, item_id: str) -> Response:
    """Put a member on the list on their behalf (a hand raised in the room)."""

    async def call(api: Backend, form: FormData) -> None:
        person_id = str(form.get("person_id") or "")
        if not person_id:
            raise FormInvalid("staff.error.person", "speaker-person")
        kind = "order" if form.get("kind") == "order" else "speech"
        await api.post(_speakers(meeting_id, item_id),
                       {"person_id": person_id, "kind": kind, "device": "room"})

    return await act(request, meeting_id, ok="staff.ok.speakers", call=call,
                     default_back="speakers", field="speaker-person")


@router.post(SPEAKERS + "/{request_id}/verschieben")
async def move_speaker(request: Request, meeting_id: str, item_id: str,
                       request_id: str) -> Response:
    """Move a waiting request to another place."""

    async def call(api: Backend, form: FormData) -> None:
        raw = str(form.get("position") or "")
        if not raw.isdigit() or int(raw) < 1:
            raise FormInvalid("staff.error.position")
        await api.post(f"{_speakers(meeting_id, item_id)}/{request_id}/move",
                       {"position": int(raw)})

    return await act(request, meeting_id, ok="staff.ok.speakers", call=call,
                     default_back="speakers")


@router.post(SPEAKERS + "/{request_id}/streichen")
async def strike_speaker(request: Request, meeting_id: str, item_id: str,
                         request_id: str) -> Response:
    """Take a waiting request off the list."""

    async def call(api: Backend, _form: FormData) -> None:
        await api.delete(f"{_speakers(meeting_id, item_id)}/{request_id}")

    return await act(request, meeting_id, ok="staff.ok.speakers", call=call,
                     default_back="speakers")


@router.post(SPEAKERS + "/einstellungen")
async def speaker_settings(request: Request, meeting_id: str, item_id: str) -> Response:
    """Close or reopen the list; the speaking time in minutes (empty: unlimited)."""

    async def call(api: Backend, form: FormData) -> None:
        raw = str(form.get("minutes") or "").strip().replace(",", ".")
        limit = None
        if raw:
            try:
                limit = round(float(raw) * 60)
            except ValueError:
                raise FormInvalid("staff.error.limit", "speaker-limit") from None
            if not 10 <= limit <= 7200:
                raise FormInvalid("staff.error.limit", "speaker-limit")
        await api.put(f"{_speakers(meeting_id, item_id)}/settings",
                      {"closed": form.get("closed") == "yes", "limit_seconds": limit})

    return await act(request, meeting_id, ok="staff.ok.speakers", call=call,
                     default_back="speakers", field="speaker-limit")


@router.post(BASE + "/stoerungen/melden")
async def report_disruption(request: Request, meeting_id: str) -> Response:
    """Record a member's lost connection reported by phone."""

    async def call(api: Backend, form: FormData) -> None:
        person_id = str(form.get("person_id") or "")
        lost = str(form.get("lost") or "")
        if not person_id:
            raise FormInvalid("staff.error.person", "report-person")
        if lost not in ("picture", "sound", "both"):
            raise FormInvalid("staff.error.lost", "report-lost")
        await api.post(f"/meetings/{meeting_id}/disruptions", {
            "person_id": person_id, "lost": lost, "note": str(form.get("note") or "")[:1000]})

    return await act(request, meeting_id, ok="staff.ok.reported", call=call,
                     default_back="disruptions", field="report-person")


@router.post(BASE + "/unterbrechen")
async def interrupt(request: Request, meeting_id: str) -> Response:
    """Interrupt the session (chair); open votes become void."""

    async def call(api: Backend, form: FormData) -> None:
        await api.post(f"/meetings/{meeting_id}/interrupt",
                       {"reason": str(form.get("reason") or "")[:2000]})

    return await act(request, meeting_id, ok="staff.ok.interrupted", call=call,
                     default_back="disruptions")


@router.post(BASE + "/fortsetzen")
async def resume(request: Request, meeting_id: str) -> Response:
    """Resume the session (chair); the votes to re-run are offered."""

    async def call(api: Backend, form: FormData) -> None:
        await api.post(f"/meetings/{meeting_id}/resume",
                       {"reason": str(form.get("reason") or "")[:2000]})

    return await act(request, meeting_id, ok="staff.ok.resumed", call=call,
                     default_back="disruptions")


@router.post(BASE + "/stoerungen/entscheidung")
async def decide(request: Request, meeting_id: str) -> Response:
    """Decide whose sphere the fault was in (chair); the town's re-runs the ticked votes."""

    async def call(api: Backend, form: FormData) -> None:
        sphere = str(form.get("sphere") or "")
        if sphere not in ("town", "member"):
            raise FormInvalid("staff.error.sphere", "decision-sphere")
        body: dict[str, object] = {"sphere": sphere,
                                   "reason": reason_of(form, "decision-reason")}
        polls = [str(p) for p in form.getlist("poll_id")]
        if polls:
            body["poll_ids"] = polls[:50]
        await api.post(f"/meetings/{meeting_id}/disruptions/decision", body)

    return await act(request, meeting_id, ok="staff.ok.decided", call=call,
                     default_back="disruptions", field="decision-sphere")


@router.post(BASE + "/einladungen")
async def send_invitations(request: Request, meeting_id: str) -> Response:
    """Send the invitation, an update or a cancellation (or re-send to some)."""

    async def call(api: Backend, form: FormData) -> None:
        kind = str(form.get("kind") or "invitation")
        if kind not in ("invitation", "update", "cancellation"):
            raise FormInvalid("staff.error.kind", "invite-kind")
        body: dict[str, object] = {"kind": kind}
        people = [str(p) for p in form.getlist("person_id")]
        if people:
            body["person_ids"] = people[:500]
        await api.post(f"/meetings/{meeting_id}/invitations", body)

    return await act(request, meeting_id, ok="staff.ok.invited", call=call,
                     default_back="invitations", field="invite-kind")


def _moment(form: FormData, field: str) -> str | None:
    """A local date-time field as an ISO moment (Berlin time), or None when empty."""
    raw = str(form.get(field) or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=BERLIN).isoformat()
    except ValueError:
        raise FormInvalid("staff.error.moment", f"minutes-{field}") from None


@router.post(BASE + "/niederschrift")
async def minutes_texts(request: Request, meeting_id: str) -> Response:
    """Save the general texts of the minutes (start, end, disruptions, remarks)."""

    async def call(api: Backend, form: FormData) -> None:
        body: dict[str, object] = {"general": str(form.get("general") or "")[:20000],
                                   "disruptions": str(form.get("disruptions") or "")[:20000]}
        for field in ("started_at", "ended_at"):
            moment = _moment(form, field)
            if moment:
                body[field] = moment
        await api.put(f"/meetings/{meeting_id}/minutes", body)

    return await act(request, meeting_id, ok="staff.ok.minutes", call=call,
                     default_back="minutes")


@router.post(BASE + "/niederschrift/punkte/{item_id}")
async def minutes_item(request: Request, meeting_id: str, item_id: str) -> Response:
    """Save one item's decision wording and notes."""

    async def call(api: Backend, form: FormData) -> None:
        await api.put(f"/meetings/{meeting_id}/minutes/items/{item_id}", {
            "decision": str(form.get("decision") or "")[:20000],
            "notes": str(form.get("notes") or "")[:20000]})

    return await act(request, meeting_id, ok="staff.ok.minutes", call=call,
                     default_back="minutes")


@router.post(BASE + "/niederschrift/abwesenheit")
async def minutes_absences(request: Request, meeting_id: str) -> Response:
    """Save why absent members were absent (one API call per changed reason)."""

    async def call(api: Backend, form: FormData) -> None:
        for key, value in form.multi_items():
            if key.startswith("absence-") and str(value) != str(form.get(f"was-{key}", "")):
                await api.put(f"/meetings/{meeting_id}/minutes/absences/{key[8:]}",
                              {"reason": str(value)[:500]})

    return await act(request, meeting_id, ok="staff.ok.minutes", call=call,
                     default_back="minutes")


@router.post(BASE + "/niederschrift/unterschreiben")
async def sign_minutes(request: Request, meeting_id: str) -> Response:
    """Sign the minutes as chair or clerk (with both, they are sealed and published)."""

    async def call(api: Backend, form: FormData) -> None:
        role = str(form.get("role") or "")
        if role not in ("chair", "clerk"):
            raise FormInvalid("staff.error.role")
        await api.post(f"/meetings/{meeting_id}/minutes/sign", {"role": role})

    return await act(request, meeting_id, ok="staff.ok.signed", call=call,
                     default_back="minutes")
