"""What the law lets a session with remote members do, as pure functions.

Three questions, each answered with the refusal that cites the rule (or None):
- `session_refusal`: may this meeting run with these remote members, given what was recorded
  before it (emergency, two-thirds decision, notice to the supervisory authority, each remote
  member's consent or reasoned request; constituent sessions)?
- `poll_refusal`: may this vote be held now, given the item, the ballot kind and who is remote?
- the quorum fallback when many are conflicted lives in ratsraum_meeting.profiles.quorum.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ratsraum_common.i18n import Msg
from ratsraum_meeting.profiles import hybrid_messages as m
from ratsraum_meeting.profiles.law import STATES
from ratsraum_meeting.profiles.presets import PRESETS, RuleProfile, hybrid_conditions

ItemKind = Literal["bylaw", "budget_bylaw"]
ITEM_KINDS: tuple[ItemKind, ...] = ("bylaw", "budget_bylaw")
AUTHORITY = {"council": ("die Vertretung (Rat)", "the council"),
             "mayor": ("die Bürgermeisterin oder der Bürgermeister", "the mayor"),
             "supervisory_authority": ("die Kommunalaufsichtsbehörde",
                                       "the supervisory authority")}
BARRED_LABELS = {
    "constituent_session": ("konstituierenden Sitzung", "constituent session"),
    "bylaw": ("Ein Satzungsbeschluss", "A bylaw decision"),
    "budget_bylaw": ("Ein Beschluss über die Haushaltssatzung", "A budget bylaw decision"),
    "election": ("Eine Wahl", "An election"),
    "secret_vote": ("Eine geheime Abstimmung", "A secret vote"),
}


@dataclass(frozen=True, slots=True)
class RemoteMember:
    """What was recorded for one member who takes part remotely."""

    consent: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class HybridRecord:
    """The conditions recorded for one meeting before it runs with remote members."""

    emergency_declared_on: date | None = None
    emergency_declared_by: str | None = None
    emergency_confirmed_on: date | None = None
    two_thirds_decided_on: date | None = None
    two_thirds_yes: int | None = None
    supervisory_notified_on: date | None = None
    constituent_session: bool = False
    item_kinds: Mapping[str, ItemKind] = field(default_factory=dict)
    remote_members: Mapping[str, RemoteMember] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the law bars it: problem code, message and the values it names (incl. `cite`)."""

    code: str
    msg: Msg
    values: dict[str, Any]


def citation(profile: RuleProfile, rule: str) -> str:
    """The citation of a rule; a town's own adjustment is named as such."""
    preset, state = PRESETS.get(profile.code), STATES.get(profile.code)
    if preset is None or state is None:
        return f"Regelprofil {profile.code}"
    if getattr(preset, rule) != getattr(profile, rule):
        return f"Anpassung des Gremiums zu Regelprofil {profile.code}"
    return state.rules[rule].citation


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _condition_rule(profile: RuleProfile, kind: str) -> str:
    council = kind in profile.hybrid_council_kinds
    return "hybrid_conditions_council" if council else "hybrid_conditions_committee"


def _emergency(profile: RuleProfile, record: HybridRecord, day: date,
               cite: str) -> Refusal | None:
    declared = record.emergency_declared_on
    if declared is None:
        return Refusal("hybrid-emergency-missing", m.EMERGENCY_MISSING, {"cite": cite})
    wanted = profile.hybrid_emergency_declared_by
    if wanted is not None and record.emergency_declared_by != wanted:
        got = AUTHORITY.get(record.emergency_declared_by or "", ("niemanden", "no one"))
        return Refusal("hybrid-emergency-authority", m.EMERGENCY_WRONG_AUTHORITY, {
            "cite": citation(profile, "hybrid_emergency_declared_by"),
            "authority_de": AUTHORITY[wanted][0], "authority_en": AUTHORITY[wanted][1],
            "recorded_de": got[0], "recorded_en": got[1]})
    months = profile.hybrid_emergency_valid_months
    if months is not None and day > _add_months(declared, months):
        return Refusal("hybrid-emergency-expired", m.EMERGENCY_EXPIRED, {
            "cite": citation(profile, "hybrid_emergency_valid_months"),
            "declared": declared.isoformat(), "months": months})
    return None


def _confirmation(record: HybridRecord, *, held_since_declaration: int,
                  cite: str) -> Refusal | None:
    """The council decides on the emergency's continuance at its next session: that session
    runs on the declaration alone, every later one needs the decision on record."""
    declared, confirmed = record.emergency_declared_on, record.emergency_confirmed_on
    if declared is None:
        return None
    if confirmed is not None and confirmed < declared:
        return Refusal("hybrid-emergency-confirmation-early", m.CONFIRMATION_BEFORE_DECLARATION, {
            "cite": cite, "declared": declared.isoformat(), "confirmed": confirmed.isoformat()})
    if confirmed is None and held_since_declaration > 0:
        return Refusal("hybrid-emergency-unconfirmed", m.CONFIRMATION_MISSING, {
            "cite": cite, "declared": declared.isoformat(), "held": held_since_declaration})
    return None


def needs_confirmation_now(profile: RuleProfile, kind: str, record: HybridRecord) -> bool:
    """Whether this session is the one that must decide on the emergency's continuance."""
    return ("emergency_confirmed" in hybrid_conditions(profile, kind)
            and record.emergency_declared_on is not None
            and record.emergency_confirmed_on is None)


def _names(ids: list[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(person, person) for person in ids)


def session_refusal(
    *, profile: RuleProfile, kind: str, record: HybridRecord, meeting_day: date,
    statutory_members: int, remote_ids: Collection[str], names: Mapping[str, str] | None = None,
    held_since_declaration: int = 0,
) -> Refusal | None:
    """Why this meeting may not run with these remote members, or None if it may.

    `held_since_declaration`: sessions of the body held after the emergency was declared and
    before this one (for a confirmation due at the next session).
    """
    if not remote_ids:
        return None
    names = names or {}
    if "constituent_session" in profile.barred_with_remote and record.constituent_session:
        what = BARRED_LABELS["constituent_session"]
        return Refusal("hybrid-constituent-session", m.BARRED_SESSION, {
            "cite": citation(profile, "barred_with_remote"), "what_de": what[0],
            "what_en": what[1]})
    conditions = hybrid_conditions(profile, kind)
    cite = citation(profile, _condition_rule(profile, kind))
    if "emergency_declared" in conditions:
        refusal = _emergency(profile, record, meeting_day, cite)
        if refusal is not None:
            return refusal
    if "emergency_confirmed" in conditions:
        refusal = _confirmation(record, held_since_declaration=held_since_declaration,
                                cite=cite)
        if refusal is not None:
            return refusal
    if "two_thirds_decision" in conditions:
        required = math.ceil(statutory_members * 2 / 3)
        yes = record.two_thirds_yes if record.two_thirds_decided_on is not None else None
        if yes is None or yes < required or statutory_members == 0:
            return Refusal("hybrid-two-thirds-missing", m.TWO_THIRDS_MISSING, {
                "cite": cite, "required": required, "recorded": yes or 0})
    if "supervisory_notice" in conditions:
        days = profile.supervisory_notice_days or 0
        notified = record.supervisory_notified_on
        if notified is None or (meeting_day - notified).days < days:
            shown = ("keine Anzeige", "no notice") if notified is None else (
                f"eine Anzeige am {notified.isoformat()}", f"a notice on {notified.isoformat()}")
            return Refusal("hybrid-notice-missing", m.NOTICE_MISSING, {
                "cite": citation(profile, "supervisory_notice_days"), "days": days,
                "recorded_de": shown[0], "recorded_en": shown[1]})
    members = record.remote_members
    if "member_consent" in conditions:
        missing = sorted(p for p in remote_ids if not members.get(p, RemoteMember()).consent)
        if missing:
            return Refusal("hybrid-consent-missing", m.CONSENT_MISSING,
                           {"cite": cite, "names": _names(missing, names)})
    if "reasoned_request" in conditions:
        missing = sorted(p for p in remote_ids
                         if not members.get(p, RemoteMember()).reason.strip())
        if missing:
            return Refusal("hybrid-request-missing", m.REQUEST_MISSING,
                           {"cite": cite, "names": _names(missing, names)})
    return None


def _barred_kinds(record: HybridRecord, *, item_id: str, secret: bool,
                  election: bool) -> list[str]:
    """What about this vote a session with remote members might bar."""
    kinds = []
    if record.constituent_session:
        kinds.append("constituent_session")
    item_kind = record.item_kinds.get(item_id)
    if item_kind is not None:
        kinds.append(item_kind)
        if item_kind == "budget_bylaw":
            kinds.append("bylaw")  # the budget bylaw is a bylaw (RP bars every bylaw)
    if election:
        kinds.append("election")
    elif secret:
        kinds.append("secret_vote")
    return kinds


def poll_refusal(
    *, profile: RuleProfile, record: HybridRecord, item_id: str, method: str, election: bool,
    remote_in_session: int, remote_on_roll: int,
) -> Refusal | None:
    """Why this vote may not be held now, or None if the law allows it."""
    secret = method == "secret"
    if secret and not election and not profile.secret_votes_allowed:
        return Refusal("secret-vote-not-provided", m.NO_SECRET_VOTES,
                       {"cite": citation(profile, "secret_votes_allowed")})
    if remote_in_session > 0:
        for kind in _barred_kinds(record, item_id=item_id, secret=secret, election=election):
            if kind in profile.barred_with_remote:
                label = BARRED_LABELS[kind]
                if kind == "constituent_session":
                    label = ("Eine Abstimmung in der konstituierenden Sitzung",
                             "A vote in the constituent session")
                return Refusal("barred-with-remote-members", m.BARRED_WITH_REMOTE, {
                    "cite": citation(profile, "barred_with_remote"), "what_de": label[0],
                    "what_en": label[1], "remote": remote_in_session})
    ballot = election or secret
    if (ballot and remote_on_roll > 0 and profile.remote_secret_needs_certified_system
            and not profile.certified_voting_system):
        what = ("Wahl", "election") if election else ("geheime Abstimmung", "secret vote")
        postal = profile.remote_secret_postal_fallback
        return Refusal(
            "postal-ballot-required" if postal else "certified-system-required",
            m.CERTIFIED_OR_POSTAL if postal else m.CERTIFIED_REQUIRED,
            {"cite": citation(profile, "remote_secret_needs_certified_system"),
             "what_de": what[0], "what_en": what[1]})
    return None
