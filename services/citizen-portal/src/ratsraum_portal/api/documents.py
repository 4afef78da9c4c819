"""A published document as a download from the portal (documents/download.py says how)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from ratsraum_common.i18n import Msg
from ratsraum_portal.api.common import NotFound, load_tenant
from ratsraum_portal.context import Ctx
from ratsraum_portal.documents.download import stream_document
from ratsraum_portal.records.service import get_record, is_record_id

router = APIRouter(include_in_schema=False)
NO_DOCUMENT = Msg("Dieses Dokument gibt es nicht, oder es ist nicht öffentlich.",
                  "This document does not exist or is not public.")


@router.get("/{tenant}/dokumente/{file_id}")
async def document_download(tenant: str, file_id: str, ctx: Ctx) -> StreamingResponse:
    """The bytes of a public file, streamed from the town's source."""
    town = await load_tenant(ctx, tenant)
    if not is_record_id(file_id):
        raise NotFound(NO_DOCUMENT)
    async with ctx.db.tenant_session(town.id) as session:
        record = await get_record(session=session, kind="file", record_id=file_id)
    if record is None or record.deleted:
        raise NotFound(NO_DOCUMENT)
    return await stream_document(record, max_bytes=ctx.settings.max_document_bytes,
                                 timeout=ctx.settings.document_timeout_seconds)
