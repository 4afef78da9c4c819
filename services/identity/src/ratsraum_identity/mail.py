"""Mails identity sends: invitations and password resets, German first, English second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from ratsraum_common.logging import get_logger
from ratsraum_identity.config import Settings

log = get_logger(__name__)

_INVITE = (
    "Einladung zu Ratsraum – {town} / Invitation to Ratsraum – {town}",
    "Guten Tag {name},\n\n"
    "Sie wurden zu Ratsraum, dem Sitzungsdienst von {town}, eingeladen. Bitte legen Sie über "
    "diesen Link Ihr Passwort fest (der Link gilt bis {until} UTC und nur einmal):\n\n{link}\n\n"
    "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.\n\n"
    "---\n\n"
    "Hello {name},\n\n"
    "You have been invited to Ratsraum, the council meeting service of {town}. Please set your "
    "password with this link (valid until {until} UTC, and only once):\n\n{link}\n\n"
    "If you did not expect this invitation, you can ignore this message.\n",
)
_RESET = (
    "Passwort zurücksetzen – Ratsraum / Reset your password – Ratsraum",
    "Guten Tag {name},\n\n"
    "für Ihr Konto bei Ratsraum ({town}) wurde ein neues Passwort angefordert. Über diesen "
    "Link legen Sie es fest (gültig bis {until} UTC, nur einmal):\n\n{link}\n\n"
    "Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht; Ihr Passwort "
    "bleibt dann unverändert.\n\n"
    "---\n\n"
    "Hello {name},\n\n"
    "a new password was requested for your Ratsraum account ({town}). Set it with this link "
    "(valid until {until} UTC, and only once):\n\n{link}\n\n"
    "If you did not ask for this, ignore this message; your password stays as it is.\n",
)
_INVITE_EXISTING = (
    _INVITE[0],
    "Guten Tag {name},\n\n"
    "Sie wurden zu Ratsraum, dem Sitzungsdienst von {town}, eingeladen. Bitte nehmen Sie die "
    "Einladung über diesen Link an (gültig bis {until} UTC, nur einmal); danach melden Sie "
    "sich mit Ihrem bisherigen Ratsraum-Passwort an:\n\n{link}\n\n"
    "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.\n\n"
    "---\n\n"
    "Hello {name},\n\n"
    "You have been invited to Ratsraum, the council meeting service of {town}. Please accept "
    "with this link (valid until {until} UTC, and only once); then sign in with your current "
    "Ratsraum password:\n\n{link}\n\n"
    "If you did not expect this invitation, you can ignore this message.\n",
)
TEMPLATES = {"invite": _INVITE, "invite_existing": _INVITE_EXISTING, "reset": _RESET}


@dataclass(frozen=True, slots=True)
class LinkMail:
    """One mail carrying a single-use link to one person."""

    purpose: str  # "invite" | "invite_existing" (has a password already) | "reset"
    to_email: str
    to_name: str
    town: str
    link: str
    expires_at: datetime


def compose(mail: LinkMail, *, sender: str) -> EmailMessage:
    """The plain-text mail (no HTML: a link in text is all it needs)."""
    subject, body = TEMPLATES[mail.purpose]
    values = {"name": mail.to_name, "town": mail.town, "link": mail.link,
              "until": mail.expires_at.astimezone(UTC).strftime("%d.%m.%Y %H:%M")}
    message = EmailMessage()
    message["Subject"] = subject.format(**values)
    message["From"] = sender
    message["To"] = Address(display_name=" ".join(mail.to_name.split()),
                            addr_spec=mail.to_email)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Content-Language"] = "de, en"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body.format(**values))
    return message


class Mailer:
    """Sends link mails over SMTP with a deadline; never raises (the result says how it went)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        """True if an SMTP server is set."""
        return bool(self.settings.smtp_host)

    async def send(self, mail: LinkMail) -> str:
        """Send the mail: "sent", "not_sent" (no SMTP configured) or "failed"."""
        s = self.settings
        if not s.smtp_host:
            log.warning("identity.mail_not_configured", purpose=mail.purpose)
            return "not_sent"
        message = compose(mail, sender=s.mail_from)
        try:
            await aiosmtplib.send(
                message, hostname=s.smtp_host, port=s.smtp_port, timeout=s.smtp_timeout_seconds,
                use_tls=s.smtp_tls == "tls", start_tls=s.smtp_tls == "starttls",
                username=s.smtp_user or None,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("identity.mail_failed", purpose=mail.purpose, error=str(exc))
            return "failed"
        return "sent"
