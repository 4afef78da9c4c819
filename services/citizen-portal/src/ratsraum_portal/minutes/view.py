"""What the meeting page shows of signed minutes: decisions, results, signatures and hashes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ratsraum_portal.meetings.schemas import ResultView, german_datetime, result_view
from ratsraum_portal.minutes.models import PublicMinutes
from ratsraum_portal.minutes.service import signed_at


@dataclass(frozen=True, slots=True)
class MinutesItemView:
    """A public agenda item as the signed minutes record it."""

    id: str
    number: str
    title: str
    decision: str
    results: list[ResultView]
    conflicted: list[str]


@dataclass(frozen=True, slots=True)
class MinutesView:
    """The signed minutes of one meeting on its page."""

    signed_at: str
    chair_name: str
    clerk_name: str
    minutes_sha256: str
    public_html_sha256: str
    document_url: str
    items: list[MinutesItemView]


def _item(item: dict[str, Any], lang: str) -> MinutesItemView:
    return MinutesItemView(
        id=str(item.get("id", "")), number=str(item.get("number", "")),
        title=str(item.get("title", "")), decision=str(item.get("decision", "")),
        results=[result_view(r, lang) for r in item.get("results", [])],
        conflicted=[str(n) for n in item.get("conflicted_names", [])],
    )


def document_path(tenant: str, meeting_id: str) -> str:
    """Where the portal serves the public part exactly as signed."""
    return f"/{tenant}/sitzungen/{meeting_id}/niederschrift"


def minutes_view(row: PublicMinutes, lang: str = "de") -> MinutesView:
    """Build the page model of stored minutes in the page language."""
    items = sorted(row.content.get("items", []), key=lambda i: int(i.get("position", 0)))
    return MinutesView(
        signed_at=german_datetime(signed_at(row), lang), chair_name=row.chair_name,
        clerk_name=row.clerk_name, minutes_sha256=row.minutes_sha256,
        public_html_sha256=row.public_html_sha256,
        document_url=document_path(row.tenant_id, row.meeting_id),
        items=[_item(i, lang) for i in items],
    )
