"""User-facing messages of conflicts of interest and vote requests, German first."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

ITEM_NOT_FOUND = Msg(
    "Diesen Tagesordnungspunkt gibt es in dieser Sitzung nicht.",
    "This agenda item is not part of this meeting.",
)
ONLY_FOR_YOURSELF = Msg(
    "Mitglieder können nur ihre eigene Befangenheit erklären oder zurückziehen; für andere "
    "erfasst sie die Schriftführung.",
    "Members may only declare or withdraw their own conflict of interest; the clerk records "
    "it for others.",
)
NOT_A_MEMBER = Msg(
    "Diese Person ist kein Mitglied des Gremiums dieser Sitzung.",
    "This person is not a member of this meeting's body.",
)
MEETING_CLOSED = Msg(
    "Die Sitzung ist geschlossen; Befangenheiten können nicht mehr geändert werden.",
    "The meeting is closed; conflicts of interest can no longer be changed.",
)
ALREADY_DECLARED = Msg(
    "Für Tagesordnungspunkt {number} ist die Befangenheit dieser Person bereits erfasst.",
    "A conflict of interest of this person is already recorded for agenda item {number}.",
)
VOTE_OPEN = Msg(
    "Zu Tagesordnungspunkt {number} läuft bereits eine Abstimmung; die Liste der "
    "Stimmberechtigten steht fest. Bitte die Abstimmung abbrechen und neu eröffnen.",
    "A vote on agenda item {number} is already open; its roll is fixed. Please cancel the "
    "vote and open it again.",
)
NO_CONFLICT = Msg(
    "Für diese Person ist zu Tagesordnungspunkt {number} keine Befangenheit erfasst.",
    "No conflict of interest of this person is recorded for agenda item {number}.",
)
TOO_LATE_TO_WITHDRAW = Msg(
    "Über Tagesordnungspunkt {number} wurde bereits abgestimmt; die Befangenheit kann nicht "
    "mehr zurückgezogen werden.",
    "Agenda item {number} has already been put to a vote; the conflict of interest can no "
    "longer be withdrawn.",
)
REQUEST_NOT_PROVIDED = Msg(
    "Das Regelprofil {profile} sieht keinen Antrag auf {kind} Abstimmung durch Mitglieder vor.",
    "Rule profile {profile} provides for no members' request for a {kind_en} vote.",
)
REQUEST_CONFLICTED = Msg(
    "Wer zu Tagesordnungspunkt {number} befangen ist, kann keinen Antrag zur Abstimmung "
    "stellen.",
    "A member with a conflict of interest on agenda item {number} cannot request a kind of "
    "vote.",
)
KIND_DE = {"roll_call": "namentliche", "secret": "geheime"}
KIND_EN = {"roll_call": "roll-call", "secret": "secret"}
