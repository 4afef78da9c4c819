"""What members and clerks read when the law bars a hybrid session, an item or a ballot.

Every message names the rule it rests on (`{cite}`, from profiles/law/<state>.toml).
"""

from __future__ import annotations

from ratsraum_common.i18n import Msg

EMERGENCY_MISSING = Msg(
    "Mitglieder dürfen nur per Video teilnehmen, wenn eine Notlage festgestellt und erfasst ist "
    "({cite}). Bitte die Feststellung unter „Bedingungen der Hybridsitzung“ eintragen.",
    "Members may only take part remotely once an emergency has been declared and recorded "
    "({cite}). Please record the declaration under “hybrid session conditions”.",
)
EMERGENCY_WRONG_AUTHORITY = Msg(
    "Die Notlage muss {authority_de} feststellen; erfasst ist eine Feststellung durch "
    "{recorded_de} ({cite}).",
    "The emergency must be declared by {authority_en}; the record names {recorded_en} "
    "({cite}).",
)
EMERGENCY_EXPIRED = Msg(
    "Die Feststellung der Notlage vom {declared} trägt Sitzungen nur {months} Monat(e) lang; "
    "für diese Sitzung muss sie erneuert werden ({cite}).",
    "The emergency declared on {declared} carries sessions for {months} month(s) only; it must "
    "be renewed for this session ({cite}).",
)
CONFIRMATION_MISSING = Msg(
    "Über den Fortbestand der am {declared} festgestellten Notlage musste die Vertretung in "
    "ihrer nächsten Sitzung beschließen; seitdem fanden {held} Sitzung(en) statt, ein "
    "bestätigender Beschluss ist nicht erfasst ({cite}). Ohne ihn ist keine Teilnahme per "
    "Video zulässig; bitte das Datum des Beschlusses eintragen.",
    "The council had to decide on the continuance of the emergency declared on {declared} at "
    "its next session; {held} session(s) have been held since, and no confirming decision is "
    "recorded ({cite}). Without it nobody may take part remotely; please record the date of "
    "the decision.",
)
CONFIRMATION_BEFORE_DECLARATION = Msg(
    "Die Bestätigung der Notlage ({confirmed}) liegt vor ihrer Feststellung ({declared}); "
    "bitte die Daten prüfen ({cite}).",
    "The confirmation of the emergency ({confirmed}) predates its declaration ({declared}); "
    "please check the dates ({cite}).",
)
TWO_THIRDS_MISSING = Msg(
    "Eine Sitzung mit Teilnahme per Video braucht den Beschluss von zwei Dritteln der "
    "gesetzlichen Mitglieder, hier mindestens {required} Ja-Stimmen; erfasst sind {recorded} "
    "({cite}).",
    "A session with remote members needs a decision by two thirds of the statutory members, "
    "here at least {required} votes in favour; {recorded} are recorded ({cite}).",
)
NOTICE_MISSING = Msg(
    "Die Sitzung mit Teilnahme per Video muss der Rechtsaufsichtsbehörde {days} Tage vorher "
    "angezeigt werden; erfasst ist {recorded_de} ({cite}).",
    "The session with remote members must be notified to the supervisory authority {days} days "
    "ahead; the record shows {recorded_en} ({cite}).",
)
CONSENT_MISSING = Msg(
    "Für die Teilnahme per Video ist das Einverständnis des Mitglieds zu erfassen; es fehlt "
    "für {names} ({cite}).",
    "Each remote member's consent must be recorded; it is missing for {names} ({cite}).",
)
REQUEST_MISSING = Msg(
    "Die Teilnahme per Video setzt einen begründeten Antrag des Mitglieds voraus (berufliche, "
    "familiäre, gesundheitliche Gründe); er fehlt für {names} ({cite}).",
    "Remote participation needs the member's reasoned request (work, family, health); it is "
    "missing for {names} ({cite}).",
)
BARRED_SESSION = Msg(
    "In einer {what_de} ist eine Teilnahme per Video nicht zulässig ({cite}).",
    "Remote participation is not allowed in a {what_en} ({cite}).",
)
BARRED_WITH_REMOTE = Msg(
    "{what_de} ist nicht zulässig, solange Mitglieder per Video teilnehmen ({remote} zugeschaltet; "
    "{cite}). Die zugeschalteten Mitglieder müssen dafür in den Sitzungsraum kommen oder die "
    "Abstimmung wird vertagt.",
    "{what_en} is not allowed while members take part remotely ({remote} connected; {cite}). "
    "The remote members must come to the room for it, or the vote is postponed.",
)
NO_SECRET_VOTES = Msg(
    "Eine geheime Abstimmung über Anträge sieht das Gesetz nicht vor ({cite}); bitte offen "
    "oder namentlich abstimmen. Wahlen bleiben geheim möglich.",
    "The law provides no secret vote on motions ({cite}); please vote openly or by roll call. "
    "Elections may still be secret.",
)
CERTIFIED_OR_POSTAL = Msg(
    "Zugeschaltete Mitglieder dürfen an geheimen Abstimmungen und Wahlen nur mit einem "
    "zugelassenen Abstimmungssystem teilnehmen ({cite}); für dieses Gremium ist keines "
    "eingetragen. Die {what_de} ist nach der Sitzung per Briefwahl durchzuführen und ihr "
    "Ergebnis in die Niederschrift aufzunehmen.",
    "Remote members may take part in secret votes and elections only with an approved voting "
    "system ({cite}); none is recorded for this body. Hold the {what_en} after the session by "
    "postal ballot and put its result into the minutes.",
)
CERTIFIED_REQUIRED = Msg(
    "Zugeschaltete Mitglieder dürfen an der {what_de} nur mit einem geeigneten elektronischen "
    "Abstimmungssystem teilnehmen ({cite}); für dieses Gremium ist keines eingetragen.",
    "Remote members may take part in the {what_en} only with a suitable electronic voting "
    "system ({cite}); none is recorded for this body.",
)
CONDITIONS_NOT_FOUND = Msg(
    "Diese Sitzung gibt es nicht (oder nicht in Ihrer Kommune).",
    "There is no such meeting (or not in your town).",
)
CONDITIONS_ITEM_UNKNOWN = Msg(
    "Tagesordnungspunkt {item} gehört nicht zu dieser Sitzung.",
    "Agenda item {item} does not belong to this meeting.",
)
CONDITIONS_MEMBER_UNKNOWN = Msg(
    "{person} ist kein Mitglied dieses Gremiums.",
    "{person} is not a member of this body.",
)
