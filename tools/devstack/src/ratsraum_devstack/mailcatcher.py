"""A local SMTP server for the demo (dev only): keeps every mail as an .eml file.

`make run` points meeting's SMTP settings here, so invitations can be sent and then read on
meeting's /dev/mails page. Nothing is delivered anywhere.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _KeepMails:
    """aiosmtpd handler: each accepted message becomes <time>-<n>.eml in the folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        """Store the message as received."""
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{next(self._numbers):05d}.eml"
        data = envelope.original_content or envelope.content
        (self.folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
        return "250 Message accepted for delivery"


class MailCatcher:
    """The running catcher; start() and stop() around the stack."""

    def __init__(self, folder: Path, *, host: str, port: int) -> None:
        self.folder = folder
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> MailCatcher:
        """Listen on host:port in a background thread."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(_KeepMails(self.folder), hostname=self.host,
                                      port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
