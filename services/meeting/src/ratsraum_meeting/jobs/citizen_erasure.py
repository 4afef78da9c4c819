"""Erasing citizens' mail addresses once their meeting is closed (the portal promises it)."""

from __future__ import annotations

from ratsraum_common.db import Database
from ratsraum_common.logging import get_logger
from ratsraum_meeting.citizen_links.service import erase_addresses
from ratsraum_meeting.timeutil import now

log = get_logger(__name__)


async def erase_once(db: Database) -> int:
    """Erase address and network of every link of a closed meeting; returns how many."""
    async with db.transaction(None) as session:
        erased = await erase_addresses(session, at=now())
    if erased:
        log.info("citizen_links.erased", count=erased)
    return erased
