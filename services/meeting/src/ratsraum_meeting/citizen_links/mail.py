"""The two mails of the double opt-in: confirm the request, then the personal link."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import quote

RECORDING_BAN = (
    "Bild- und Tonaufnahmen der Sitzung sind nicht erlaubt (Persönlichkeitsrechte der "
    "Mitglieder und Gäste)."
)
RECORDING_BAN_EN = "Recording pictures or sound of the meeting is not allowed."


def page_url(*, portal_url: str, tenant: str, meeting_id: str, leaf: str, token: str) -> str:
    """A portal page of this meeting's citizen access, carrying one token."""
    base = f"{portal_url.rstrip('/')}/{quote(tenant)}/sitzungen/{quote(meeting_id)}"
    return f"{base}/{leaf}?token={quote(token)}"


def _message(*, sender: str, to: str, subject: str, body: str, stamp: datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(stamp)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Content-Language"] = "de, en"
    message.set_content(body)
    return message


def confirmation_mail(
    *, sender: str, to: str, title: str, confirm_url: str, stamp: datetime
) -> EmailMessage:
    """First mail: confirm that this address asked for a link (nothing happens otherwise)."""
    body = (
        f"Guten Tag,\n\nfür die Sitzung „{title}“ wurde mit dieser Adresse ein persönlicher "
        f"Zugangslink angefordert. Bitte bestätigen Sie die Anfrage:\n\n{confirm_url}\n\n"
        "Wenn Sie nichts angefordert haben, ignorieren Sie diese Mail; Ihre Adresse wird nach "
        "der Sitzung gelöscht.\n\n"
        f"---\n\nA personal access link to the meeting “{title}” was requested with this "
        f"address. Please confirm the request:\n\n{confirm_url}\n\n"
        "If you did not ask for it, ignore this mail; your address is deleted after the "
        "meeting.\n"
    )
    return _message(sender=sender, to=to, subject=f"Bitte bestätigen: Zugang zu „{title}“",
                    body=body, stamp=stamp)


def link_mail(
    *, sender: str, to: str, title: str, join_url: str, stamp: datetime
) -> EmailMessage:
    """Second mail: the personal link, valid for this meeting's public part only."""
    body = (
        f"Guten Tag,\n\nIhr persönlicher Link zum öffentlichen Teil der Sitzung „{title}“:\n\n"
        f"{join_url}\n\nEr gilt nur für diese Sitzung und nur, solange der öffentliche Teil "
        f"läuft. Bitte geben Sie ihn nicht weiter. {RECORDING_BAN}\n\n"
        f"---\n\nYour personal link to the public part of the meeting “{title}”:\n\n"
        f"{join_url}\n\nIt is valid for this meeting only, while its public part runs. Please "
        f"do not pass it on. {RECORDING_BAN_EN}\n"
    )
    return _message(sender=sender, to=to, subject=f"Ihr Zugang zu „{title}“", body=body,
                    stamp=stamp)
