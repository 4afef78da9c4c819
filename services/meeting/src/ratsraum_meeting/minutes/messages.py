"""German-first texts of the minutes' refusals."""

from __future__ import annotations

from ratsraum_common.i18n import Msg

SEALED = Msg(
    "Die Niederschrift ist von Vorsitz und Schriftführung unterzeichnet und kann nicht mehr "
    "geändert werden.",
    "The minutes are signed by chair and clerk and can no longer be changed.",
)
ALREADY_SIGNED = Msg(
    "Die Niederschrift ist für die Rolle „{role}“ bereits unterzeichnet.",
    "The minutes are already signed in the role '{role}'.",
)
ROLE_NOT_HELD = Msg(
    "Sie können nur in einer Rolle unterzeichnen, die Sie innehaben ({role}).",
    "You can only sign in a role you hold ({role}).",
)
SAME_SIGNER = Msg(
    "Vorsitz und Schriftführung müssen von zwei verschiedenen Personen unterzeichnen.",
    "Chair and clerk must be two different people.",
)
POLL_OPEN = Msg(
    "Während einer laufenden Abstimmung kann die Niederschrift nicht unterzeichnet werden.",
    "The minutes cannot be signed while a vote is open.",
)
ITEM_NOT_FOUND = Msg(
    "Diesen Tagesordnungspunkt gibt es in dieser Sitzung nicht.",
    "There is no such agenda item in this meeting.",
)
NOT_A_MEMBER = Msg(
    "Diese Person ist kein Mitglied des Gremiums dieser Sitzung.",
    "This person is not a member of this meeting's body.",
)
POLL_NOT_FOUND = Msg(
    "Diese Abstimmung gibt es in dieser Sitzung nicht.",
    "There is no such vote in this meeting.",
)
OWN_VOTE_NOT_PROVIDED = Msg(
    "Nach dem Regelprofil {profile} ist nicht vorgesehen, dass ein Mitglied die eigene "
    "Stimmabgabe in die Niederschrift aufnehmen lässt. Die Verwaltung kann dies im Regelprofil "
    "des Gremiums einschalten (own_vote_on_record).",
    "Under rule profile {profile} a member cannot have their own vote recorded in the minutes. "
    "The administration can switch this on in the body's rule profile (own_vote_on_record).",
)
OWN_VOTE_NOT_CLOSED = Msg(
    "Die eigene Stimmabgabe kann nur für eine abgeschlossene, gewertete Abstimmung "
    "festgehalten werden; diese ist {state}.",
    "Your own vote can only be recorded for a closed and counted vote; this one is {state}.",
)
OWN_VOTE_SECRET = Msg(
    "Bei einer geheimen Abstimmung wird keine Stimmabgabe einem Mitglied zugeordnet, auch nicht "
    "auf eigenen Wunsch.",
    "In a secret vote no ballot is ever linked to a member, not even at their own request.",
)
OWN_VOTE_NAMED = Msg(
    "Bei einer namentlichen Abstimmung steht Ihre Stimmabgabe bereits mit Namen in der "
    "Niederschrift.",
    "In a roll-call vote your vote is already in the minutes by name.",
)
OWN_VOTE_CONFLICTED = Msg(
    "Sie waren bei diesem Tagesordnungspunkt wegen Befangenheit von der Abstimmung "
    "ausgeschlossen.",
    "You were excluded from this vote for a conflict of interest.",
)
OWN_VOTE_CHOICE_NEEDED = Msg(
    "Bei offenen Abstimmungen speichert das System nicht, wer wie gestimmt hat; es zählt nur. "
    "Bitte geben Sie an, wie Sie abgestimmt haben (choice); die Niederschrift vermerkt es als "
    "Ihre eigene Angabe.",
    "In open votes the system does not store who voted how; it only counts. Please state how "
    "you voted (choice); the minutes note it as your own statement.",
)
OWN_VOTE_INVALID_CHOICE = Msg(
    "„{choice}“ stand in dieser Abstimmung nicht zur Wahl; möglich waren: {options}.",
    "'{choice}' was not an option in this vote; the options were: {options}.",
)
OWN_VOTE_DID_NOT_VOTE = Msg(
    "Laut Abstimmungsprotokoll haben Sie in dieser Abstimmung keine Stimme abgegeben.",
    "According to the vote record you did not cast a vote in this poll.",
)
OWN_VOTE_CONTRADICTS = Msg(
    "Ihre Angabe widerspricht der gespeicherten Stimmabgabe ({recorded}); festgehalten wird "
    "die gespeicherte.",
    "Your statement contradicts the stored vote ({recorded}); the stored one is recorded.",
)
OWN_VOTE_IMPLAUSIBLE = Msg(
    "Für „{choice}“ wurden nur {count} Stimmen gezählt, und so viele Mitglieder haben diese "
    "Stimmabgabe bereits festhalten lassen.",
    "Only {count} votes were counted for '{choice}', and that many members have already had "
    "this vote recorded.",
)
OWN_VOTE_FOR_OTHERS = Msg(
    "Nur die Schriftführung kann die Stimmabgabe eines anderen Mitglieds festhalten.",
    "Only the clerk can record another member's vote.",
)
OWN_VOTE_NOT_RECORDED = Msg(
    "Für diese Abstimmung ist keine eigene Stimmabgabe dieses Mitglieds festgehalten.",
    "No own vote of this member is recorded for this vote.",
)
