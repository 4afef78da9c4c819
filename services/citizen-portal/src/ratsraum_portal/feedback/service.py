"""Feedback rules: what a message may hold, how often one address may send, and storing it."""

from __future__ import annotations

import re
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_portal.feedback.models import FeedbackMessage

MAX_MESSAGE = 2000
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class FeedbackInput:
    """What the form sent, trimmed."""

    message: str
    email: str
    page: str


def problem_key(data: FeedbackInput) -> str | None:
    """The catalogue key of what is wrong with the input, or None when it can be stored."""
    if not data.message:
        return "feedback.empty"
    if len(data.message) > MAX_MESSAGE:
        return "feedback.too_long"
    if data.email and (len(data.email) > 254 or not _EMAIL.match(data.email)):
        return "feedback.bad_email"
    return None


class RateLimiter:
    """At most `limit` messages per client address within `window` seconds (per process)."""

    def __init__(self, *, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._sent: dict[str, deque[float]] = {}

    def allow(self, client: str) -> bool:
        """Count one attempt; False when the address has used up its allowance."""
        now = time.monotonic()
        recent = self._sent.setdefault(client, deque())
        while recent and now - recent[0] > self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        if len(self._sent) > 10_000:  # forget idle addresses so memory stays bounded
            self._sent = {k: v for k, v in self._sent.items() if v and now - v[-1] <= self.window}
        return True


async def store_feedback(*, session: AsyncSession, data: FeedbackInput, lang: str) -> str:
    """Store a checked message; returns its id."""
    row = FeedbackMessage(
        id=uuid.uuid4().hex, received_at=datetime.now(UTC), message=data.message,
        email=data.email or None, page=data.page[:500] or None, lang=lang,
    )
    session.add(row)
    await session.commit()
    return row.id
