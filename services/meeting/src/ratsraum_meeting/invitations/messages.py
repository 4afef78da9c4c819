"""German-first texts of the invitation refusals."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

NOT_CONFIGURED = Msg(
    "Der E-Mail-Versand ist nicht eingerichtet (MEETING_SMTP_HOST fehlt); es wurde nichts "
    "versandt.",
    "Sending mail is not set up (MEETING_SMTP_HOST is missing); nothing was sent.",
)
CANCELLED = Msg(
    "Diese Sitzung wurde bereits abgesagt; es werden keine Einladungen mehr versandt.",
    "This meeting has been cancelled; no further invitations are sent.",
)
NOT_INVITED_YET = Msg(
    "Es wurde noch keine Einladung versandt; eine Änderung oder Absage ist erst danach möglich.",
    "No invitation has been sent yet; an update or cancellation is only possible afterwards.",
)
UNKNOWN_RECIPIENTS = Msg(
    "Diese Personen sind keine Mitglieder des Gremiums: {ids}.",
    "These people are not members of the body: {ids}.",
)
