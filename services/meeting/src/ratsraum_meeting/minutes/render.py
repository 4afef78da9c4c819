"""Rendering the minutes: HTML with Jinja2, PDF from that HTML with xhtml2pdf."""

from __future__ import annotations

import hashlib
import io

from jinja2 import Environment, PackageLoader, select_autoescape
from xhtml2pdf import pisa  # type: ignore[import-untyped]

from ratsraum_meeting.minutes.content import MinutesData

_TEMPLATES = Environment(
    loader=PackageLoader("ratsraum_meeting", "templates/minutes"),
    autoescape=select_autoescape(["html.j2"]),
)


class PdfError(RuntimeError):
    """The PDF renderer reported errors."""


def render_html(data: MinutesData, *, draft: bool, public_only: bool = False) -> str:
    """The minutes as an HTML document; public_only leaves out the closed part."""
    items = [i for i in data.items if i.public] if public_only else data.items
    template = _TEMPLATES.get_template("minutes.html.j2")
    return template.render(data=data, items=items, draft=draft, public_only=public_only)


def sha256_hex(html: str) -> str:
    """The SHA-256 of an HTML document's UTF-8 bytes."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def with_hash_note(html: str, digest: str) -> str:
    """The signed HTML with a closing line naming its hash (for the PDF and the reader)."""
    note = (f'<p class="muted">SHA-256 der unterzeichneten Fassung (HTML, UTF-8): '
            f"{digest}</p>")
    return html.replace("</body>", f"{note}\n</body>", 1)


def render_pdf(html: str) -> bytes:
    """A PDF of an HTML document (CPU-bound: call it in a worker thread)."""
    out = io.BytesIO()
    status = pisa.CreatePDF(src=html, dest=out, encoding="utf-8")
    if status.err:
        raise PdfError(f"xhtml2pdf reported {status.err} error(s)")
    return out.getvalue()
