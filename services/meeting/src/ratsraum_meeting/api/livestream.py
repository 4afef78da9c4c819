"""HTTP API of a meeting's livestream: the clerk sets the address and the refusals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ratsraum_common.auth import Principal
from ratsraum_common.i18n import Msg
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import DB, require_roles
from ratsraum_meeting.changes import public_view_changed
from ratsraum_meeting.livestream import service as livestream
from ratsraum_meeting.livestream.schemas import RefusalOut, StreamIn, StreamOut
from ratsraum_meeting.meetings import service as meetings

router = APIRouter(tags=["livestream"])
PATH = "/api/v1/meetings/{meeting_id}/stream"
Staff = Annotated[Principal, Depends(require_roles("clerk", "chair", "vice_chair", "admin"))]
Clerk = Annotated[Principal, Depends(require_roles("clerk", "admin"))]

NOT_MEMBERS = Msg("Nur Mitglieder des Gremiums können der Übertragung widersprechen: {ids}.",
                  "Only members of the body can refuse to be streamed: {ids}.")


def _out(setting: livestream.StreamSetting) -> StreamOut:
    return StreamOut(url=setting.url, captions_url=setting.captions_url,
                     refused=[RefusalOut(person_id=r.person_id, name=r.name)
                              for r in setting.refusals])


@router.get(PATH)
async def get_stream(meeting_id: str, principal: Staff, db: DB) -> StreamOut:
    """The meeting's stream address, captions and who refused to be streamed."""
    async with db.tenant_session(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        return _out(await livestream.stream_setting(session, meeting=meeting))


@router.put(PATH)
async def set_stream(meeting_id: str, body: StreamIn, principal: Clerk, db: DB) -> StreamOut:
    """Set the stream and the refusals; the portal shows both while the public part runs."""
    async with db.transaction(principal.tenant) as session:
        meeting, _body = await meetings.get_meeting(session, meeting_id=meeting_id)
        try:
            setting = await livestream.set_stream(
                session, meeting=meeting, url=body.url, captions_url=body.captions_url,
                refused_person_ids=body.refused_person_ids, recorded_by=principal.subject)
        except livestream.NotMembers as exc:
            raise Problem(422, "not-a-member", NOT_MEMBERS,
                          ids=", ".join(exc.person_ids)) from exc
        public_view_changed(session, meeting_id=meeting.id)
        return _out(setting)
