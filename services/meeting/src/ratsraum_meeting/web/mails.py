"""Dev only: the mails the local mail catcher received, for reading invitations in the demo."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import Response

from ratsraum_meeting.web.render import page

router = APIRouter(include_in_schema=False)


def _read(path: Path) -> dict[str, Any]:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    return {"to": str(message.get("To", "")), "subject": str(message.get("Subject", "")),
            "date": str(message.get("Date", "")), "file": path.name,
            "text": body.get_content() if body is not None else ""}


@router.get("/dev/mails")
async def caught_mails(request: Request) -> Response:
    """Every caught mail, newest first; 404 unless the mail catcher is configured."""
    folder: Path | None = request.app.state.settings.dev_mail_catcher_dir
    if folder is None or request.app.state.settings.environment == "production":
        return page(request, "error.html", {"reason": "not_found", "retry": False,
                                            "detail": "", "status": 404},
                    signed=None, status_code=404)
    mails = await anyio.to_thread.run_sync(_read_all, folder)
    return page(request, "mails.html", {"mails": mails}, signed=None)


def _read_all(folder: Path) -> list[dict[str, Any]]:
    """The newest 200 mails (file names sort by arrival)."""
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.exists() else []
    return [_read(p) for p in files]
