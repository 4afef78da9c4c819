"""What the meeting page lists under 'Unterlagen': its files, its items' files and the papers
consulted under its public items with their files, all from the public records."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_portal.records.models import PublicRecord
from ratsraum_portal.records.service import item_key, live_by_ids, referring
from ratsraum_portal.texts import text

ROLE_ORDER = ("invitation", "mainFile", "resolutionFile", "auxiliaryFile")


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One file to download."""

    name: str
    url: str
    details: str  # "PDF, 1,2 MB"


@dataclass(frozen=True, slots=True)
class PaperView:
    """A paper consulted under an agenda item, with its files."""

    number: str
    reference: str
    name: str
    files: list[DocumentView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DocumentsView:
    """The meeting's documents; empty when it has none."""

    files: list[DocumentView]
    papers: list[PaperView]

    def __bool__(self) -> bool:
        return bool(self.files or self.papers)


def size_label(size: object, lang: str) -> str:
    """'1,2 MB' / '1.2 MB', or '' when unknown."""
    if not isinstance(size, int | float) or size <= 0:
        return ""
    value, unit = (size / 1_048_576, "MB") if size >= 1_048_576 else (size / 1024, "kB")
    shown = f"{max(value, 0.1):.1f}"
    return f"{shown.replace('.', ',') if lang == 'de' else shown} {unit}"


def _document(tenant: str, record: PublicRecord, lang: str) -> DocumentView:
    d = record.data
    kind = str(d.get("mime_type", "")).rsplit("/", 1)[-1].upper()
    details = ", ".join(x for x in (kind, size_label(d.get("size"), lang)) if x)
    name = str(d.get("name") or d.get("file_name") or text(lang, "documents.unnamed"))
    return DocumentView(name=name, url=f"/{tenant}/dokumente/{record.id}", details=details)


def _ordered(rows: list[tuple[PublicRecord, str]]) -> list[PublicRecord]:
    rank = {role: n for n, role in enumerate(ROLE_ORDER)}
    unique = {r.id: (rank.get(role, len(rank)), r) for r, role in rows}
    return [r for _, r in sorted(unique.values(), key=lambda x: (x[0], x[1].id))]


async def meeting_documents(*, session: AsyncSession, tenant: str, meeting_id: str,
                            items: list[dict[str, str]], lang: str) -> DocumentsView:
    """The documents of a meeting with these public agenda items (id, number)."""
    keys = {item_key(meeting_id, i["id"]): i["number"] for i in items}
    own = await referring(session=session, kind="file", ref_kind="meeting", ref_ids=[meeting_id])
    of_items = await referring(session=session, kind="file", ref_kind="agenda_item",
                               ref_ids=list(keys))
    rows = own.get(meeting_id, []) + [r for k in keys for r in of_items.get(k, [])]
    files = [_document(tenant, r, lang) for r in _ordered(rows)]
    consulted = await referring(session=session, kind="consultation", ref_kind="agenda_item",
                                ref_ids=list(keys))
    paper_of = {str(c.data.get("paper_id")): keys[k] for k, rows_ in consulted.items()
                for c, _ in rows_}
    paper_files = await referring(session=session, kind="file", ref_kind="paper",
                                  ref_ids=list(paper_of))
    papers = []
    for paper in await live_by_ids(session=session, kind="paper", ids=list(paper_of)):
        papers.append(PaperView(
            number=paper_of[paper.id], reference=str(paper.data.get("reference", "")),
            name=str(paper.data.get("name", "")),
            files=[_document(tenant, r, lang) for r in _ordered(paper_files.get(paper.id, []))]))
    return DocumentsView(files=files, papers=sorted(papers, key=lambda p: p.number))

