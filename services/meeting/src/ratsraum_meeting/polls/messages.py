"""User-facing messages of the poll endpoints, German first."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

POLL_NOT_FOUND = Msg(
    "Diese Abstimmung gibt es nicht (oder nicht in Ihrer Kommune).",
    "There is no such poll (or not in your town).",
)
ITEM_NOT_FOUND = Msg(
    "Diesen Tagesordnungspunkt gibt es in dieser Sitzung nicht.",
    "This agenda item is not part of this meeting.",
)
MEETING_NOT_RUNNING = Msg(
    "Die Sitzung läuft nicht; eine Abstimmung kann erst nach der Eröffnung beginnen.",
    "The meeting is not running; a vote can start only once it is opened.",
)
ITEM_NOT_VOTABLE = Msg(
    "Über den Tagesordnungspunkt {number} wird nicht abgestimmt.",
    "Agenda item {number} is not put to a vote.",
)
POLL_ALREADY_OPEN = Msg(
    "Zu Tagesordnungspunkt {number} läuft bereits eine Abstimmung.",
    "A vote on agenda item {number} is already open.",
)
NOT_ON_ROLL = Msg(
    "Sie stehen nicht auf der Liste der Stimmberechtigten dieser Abstimmung (nur bei "
    "Eröffnung anwesende Mitglieder ohne Befangenheit). Ihre Stimme wurde nicht gezählt.",
    "You are not on the roll of this vote (only members present when it opened and without "
    "a conflict of interest). Your vote was not counted.",
)
POLL_NOT_OPEN = Msg(
    "Die Abstimmung ist nicht (mehr) geöffnet; Ihre Stimme wurde nicht gezählt.",
    "The vote is not open (any more); your vote was not counted.",
)
INVALID_CHOICE = Msg(
    "Diese Antwortmöglichkeit gibt es in dieser Abstimmung nicht.",
    "This option is not offered in this vote.",
)
KEY_REUSED = Msg(
    "Der Idempotency-Key wurde bereits für eine andere Stimme verwendet; bitte einen neuen "
    "Schlüssel verwenden.",
    "The Idempotency-Key was already used for a different ballot; please use a new key.",
)
INVALID_REQUEST = Msg(
    "Der Abstimmungsdienst hat die Anfrage als ungültig abgelehnt.",
    "The voting service rejected the request as invalid.",
)
VOTING_REFUSED = Msg(
    "Der Abstimmungsdienst hat die Anfrage abgelehnt; es wurde nichts geändert.",
    "The voting service refused the request; nothing was changed.",
)
VOTING_UNAVAILABLE = Msg(
    "Der Abstimmungsdienst ist gerade nicht erreichbar; es wurde nichts gezählt oder "
    "geändert. Bitte mit demselben Idempotency-Key erneut versuchen.",
    "The voting service is unreachable right now; nothing was counted or changed. Please "
    "retry with the same Idempotency-Key.",
)
CLOSE_UNAVAILABLE = Msg(
    "Der Abstimmungsdienst ist gerade nicht erreichbar; die Abstimmung ist noch nicht "
    "geschlossen. Bitte erneut versuchen.",
    "The voting service is unreachable right now; the vote is not closed yet. Please retry.",
)
POLL_NOT_CLOSED = Msg(
    "Die Abstimmung konnte nicht geschlossen werden, weil sie abgebrochen wurde.",
    "The vote could not be closed because it was cancelled.",
)
MISSING_KEY = Msg(
    "Der Header Idempotency-Key fehlt oder ist ungültig (8 bis 128 sichtbare Zeichen). "
    "Er sorgt dafür, dass eine wiederholte Stimmabgabe nur einmal zählt.",
    "The Idempotency-Key header is missing or invalid (8 to 128 visible characters). It "
    "makes sure a repeated ballot counts once.",
)
OPEN_UNAVAILABLE = Msg(
    "Der Abstimmungsdienst ist gerade nicht erreichbar; die Abstimmung wurde nicht eröffnet. "
    "Bitte erneut versuchen.",
    "The voting service is unreachable right now; the vote was not opened. Please retry.",
)
READ_UNAVAILABLE = Msg(
    "Der Abstimmungsdienst ist gerade nicht erreichbar; der Stand der Abstimmung kann nicht "
    "angezeigt werden. Bitte gleich erneut versuchen.",
    "The voting service is unreachable right now; the vote's progress cannot be shown. "
    "Please try again shortly.",
)
NOT_QUORATE_RULE = Msg(
    "{de} Die Abstimmung wurde nicht eröffnet.",
    "{en} The vote was not opened.",
)
METHOD_NOT_YET_AVAILABLE = Msg(
    "Eine {kind} ist in Ratsraum noch nicht verfügbar; bitte auf Papier durchführen und das "
    "Ergebnis erfassen.",
    "A {kind_en} is not available in Ratsraum yet; please hold it on paper and record the "
    "result.",
)
REQUESTED_METHOD = Msg(
    "Zu Tagesordnungspunkt {number} haben genug Mitglieder eine {kind} beantragt ({count}, "
    "nötig {required}); die Abstimmung muss so durchgeführt werden.",
    "Enough members requested a {kind_en} on agenda item {number} ({count}, needed "
    "{required}); the vote must be held that way.",
)
CANDIDATES_REQUIRED = Msg(
    "Für eine Wahl müssen die Bewerberinnen und Bewerber angegeben werden "
    "(POST …/elections mit „candidates“).",
    "An election needs its candidates (POST …/elections with "
    "\"candidates\").",
)
WRONG_STATE = Msg(
    "Das ist im jetzigen Stand der Abstimmung nicht möglich ({state}); es wurde nichts "
    "geändert.",
    "This is not possible in the vote's current state ({state}); nothing was changed.",
)
VOTING_WRONG_STATE = Msg(
    "Der Abstimmungsdienst lehnt diesen Schritt im jetzigen Stand der Abstimmung ab; es wurde "
    "nichts geändert.",
    "The voting service refuses this step in the vote's current state; nothing was changed.",
)
NOT_AN_ELECTION = Msg(
    "Das ist keine Wahl; Stichwahl und Los gibt es nur bei Wahlen.",
    "This is not an election; runoffs and lots exist only for elections.",
)
NO_RUNOFF = Msg(
    "Der Wahlgang hat keine Stichwahl ergeben (Stand: {current}).",
    "The election round did not end in a runoff (status: {current}).",
)
NO_LOT = Msg(
    "Der Wahlgang hat keinen Losentscheid ergeben (Stand: {current}).",
    "The election round did not end in a lot (status: {current}).",
)
REMOTE_EXCLUDED = Msg(
    "Per Video zugeschaltete Mitglieder dürfen an der {kind} nicht teilnehmen ({cite}). Sie "
    "bleiben anwesend, stehen aber nicht auf der Liste der Stimmberechtigten dieser "
    "Abstimmung: {names}. Wer mitstimmen will, kommt in den Sitzungsraum, bevor sie eröffnet "
    "wird.",
    "Members connected by video may not take part in the {kind_en} ({cite}). They remain "
    "present but are not on the roll of this vote: {names}. Whoever wants to vote comes to "
    "the room before it opens.",
)
REMOTE_LEAVE_QUORUM = Msg(
    "Für die Beschlussfähigkeit dieser Abstimmung zählen sie nicht mit ({cite}). {quorum}",
    "They do not count for this vote's quorum either ({cite}). {quorum_en}",
)
REMOTE_STAY_IN_QUORUM = Msg(
    "Für die Beschlussfähigkeit zählen sie weiter als anwesend ({cite}). {quorum}",
    "They still count as present for the quorum ({cite}). {quorum_en}",
)
