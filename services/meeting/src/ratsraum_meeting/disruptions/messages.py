"""User-facing messages of the disruption endpoints, German first."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

MEETING_NOT_IN_SESSION = Msg(
    "Die Sitzung läuft nicht (Stand: {current}); eine Störung kann nur während der Sitzung "
    "gemeldet oder entschieden werden.",
    "The meeting is not in session (status: {current}); a disruption can be reported or "
    "decided only during the session.",
)
NOT_RUNNING = Msg(
    "Die Sitzung läuft nicht (Stand: {current}) und kann daher nicht unterbrochen werden.",
    "The meeting is not running (status: {current}) and cannot be interrupted.",
)
NOT_INTERRUPTED = Msg(
    "Die Sitzung ist nicht unterbrochen (Stand: {current}) und kann daher nicht fortgesetzt "
    "werden.",
    "The meeting is not interrupted (status: {current}) and cannot be resumed.",
)
PERSON_NOT_FOUND = Msg(
    "Diese Person gibt es in Ihrer Kommune nicht.",
    "There is no such person in your town.",
)
ONLY_FOR_YOURSELF = Msg(
    "Mitglieder melden Störungen nur für sich selbst; für andere erfasst die Schriftführung "
    "die Meldung (z. B. nach einem Anruf).",
    "Members report disruptions only for themselves; the clerk records reports for others "
    "(e.g. after a phone call).",
)
SINCE_IN_FUTURE = Msg(
    "Der Beginn der Störung liegt in der Zukunft.",
    "The disruption's start lies in the future.",
)
POLL_NOT_IN_MEETING = Msg(
    "Die Abstimmung {poll} gehört nicht zu dieser Sitzung oder kann nicht wiederholt werden "
    "(Stand: {state}).",
    "Poll {poll} is not part of this meeting or cannot be re-run (state: {state}).",
)
CANNOT_RESUME = Msg(
    "Der Abstimmungsdienst ist nicht erreichbar, und {count} Abstimmung(en) aus der Zeit vor "
    "der Unterbrechung konnten noch nicht abgebrochen werden. Die Sitzung bleibt unterbrochen; "
    "bitte gleich erneut fortsetzen.",
    "The voting service is unreachable, and {count} vote(s) from before the interruption "
    "could not be cancelled yet. The meeting stays interrupted; please resume again shortly.",
)
