"""Composing one member's invitation mail and handing mails to the SMTP server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib
from jinja2 import Environment, PackageLoader, select_autoescape

from ratsraum_meeting.invitations.calendar import build_calendar
from ratsraum_meeting.invitations.content import InvitationContent, one_line

_TEMPLATES = Environment(
    loader=PackageLoader("ratsraum_meeting", "templates/invitations"),
    autoescape=select_autoescape(["html.j2"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One member to invite, with the personal link minted for this mail."""

    name: str
    email: str
    link: str


def compose(
    *, content: InvitationContent, recipient: Recipient, sender: str, stamp: datetime
) -> EmailMessage:
    """The German mail to one member: text, HTML and the .ics, addressed to them alone."""
    sender_name, sender_email = parseaddr(sender)
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = sender
    message["To"] = Address(display_name=one_line(recipient.name), addr_spec=recipient.email)
    message["Date"] = format_datetime(stamp)
    message["Message-ID"] = make_msgid(domain=sender_email.rpartition("@")[2] or None)
    message["Content-Language"] = "de"
    values = {"content": content, "name": recipient.name, "link": recipient.link}
    message.set_content(_TEMPLATES.get_template("mail.txt.j2").render(values))
    message.add_alternative(_TEMPLATES.get_template("mail.html.j2").render(values),
                            subtype="html")
    ics = build_calendar(
        content=content, organizer_email=sender_email,
        organizer_name=sender_name or "Sitzungsdienst", attendee_email=recipient.email,
        attendee_name=recipient.name, stamp=stamp,
    )
    method = "CANCEL" if content.kind == "cancellation" else "REQUEST"
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename="sitzung.ics",
        params={"method": method, "charset": "utf-8"},
    )
    return message


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    """Sends mails over one SMTP connection; every step has the configured timeout."""

    host: str
    port: int
    tls: str
    user: str = ""
    password: str = ""
    timeout: float = 10.0

    async def send_all(self, messages: list[EmailMessage]) -> list[str | None]:
        """Send each message; returns per message None (accepted) or the error text."""
        if not messages:
            return []
        client = aiosmtplib.SMTP(
            hostname=self.host, port=self.port, timeout=self.timeout,
            use_tls=self.tls == "tls", start_tls=self.tls == "starttls",
        )
        try:
            await client.connect()
            if self.user:
                await client.login(self.user, self.password)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return [f"SMTP-Server nicht erreichbar: {exc}"] * len(messages)
        errors: list[str | None] = []
        try:
            for message in messages:
                errors.append(await self._send_one(client, message))
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
        return errors

    async def _send_one(self, client: aiosmtplib.SMTP, message: EmailMessage) -> str | None:
        try:
            refused, _reply = await client.send_message(message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return str(exc)
        except (ValueError, MessageError) as exc:
            # This one message cannot be written out; the others are still sent.
            return f"Nachricht fehlerhaft: {exc}"
        return f"abgelehnt: {refused}" if refused else None
