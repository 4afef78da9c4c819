"""The minutes' section on a session with remote members: the conditions recorded for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.meetings.models import AgendaItem, Body, Meeting, Person
from ratsraum_meeting.profiles.hybrid_conditions import body_rules, get_conditions, record_of
from ratsraum_meeting.profiles.hybrid_rules import AUTHORITY, citation, needs_confirmation_now
from ratsraum_meeting.profiles.presets import council_rules_apply, hybrid_conditions

KIND_LABELS = {"bylaw": "Satzungsbeschluss", "budget_bylaw": "Beschluss über die Haushaltssatzung"}


@dataclass(frozen=True, slots=True)
class HybridMinutes:
    """What the minutes state about the hybrid conditions (empty: nothing recorded)."""

    lines: list[str] = field(default_factory=list)
    # Consent and reasons of each remote member; personal, so never in the public minutes.
    members: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.lines or self.members)


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


async def hybrid_minutes(session: AsyncSession, *, meeting: Meeting, body: Body) -> HybridMinutes:
    """The recorded conditions in German, with the rule that demanded them."""
    row = await get_conditions(session, meeting_id=meeting.id)
    if row is None:
        return HybridMinutes()
    profile, kind = await body_rules(session, body=body)
    lines = []
    required = hybrid_conditions(profile, kind)
    if required:
        rule = ("hybrid_conditions_council" if council_rules_apply(profile, kind)
                else "hybrid_conditions_committee")
        lines.append(f"Rechtsgrundlage der Teilnahme per Video: {citation(profile, rule)}")
    if row.constituent_session:
        lines.append("Konstituierende Sitzung")
    if row.emergency_declared_on is not None:
        who = AUTHORITY.get(row.emergency_declared_by or "", ("(ohne Angabe)", ""))[0]
        note = f" – {row.emergency_note}" if row.emergency_note else ""
        lines.append(f"Notlage festgestellt am {_day(row.emergency_declared_on)} durch {who}"
                     f"{note}")
    if row.emergency_confirmed_on is not None:
        lines.append(f"Fortbestand der Notlage bestätigt am {_day(row.emergency_confirmed_on)}")
    elif needs_confirmation_now(profile, kind, record_of(row)) and row.emergency_declared_on:
        lines.append(f"Die Vertretung hat in dieser Sitzung über den Fortbestand der am "
                     f"{_day(row.emergency_declared_on)} festgestellten Notlage zu beschließen "
                     f"({citation(profile, 'hybrid_conditions_council')})")
    if row.two_thirds_decided_on is not None:
        lines.append(f"Beschluss über die Sitzung mit Teilnahme per Video am "
                     f"{_day(row.two_thirds_decided_on)} mit {row.two_thirds_yes or 0} "
                     f"Ja-Stimmen von {body.statutory_members} gesetzlichen Mitgliedern")
    if row.supervisory_notified_on is not None:
        lines.append(f"Der Rechtsaufsichtsbehörde angezeigt am "
                     f"{_day(row.supervisory_notified_on)}")
    if row.item_kinds:
        numbers = dict((await session.execute(select(AgendaItem.id, AgendaItem.number).where(
            AgendaItem.id.in_(row.item_kinds)))).tuples().all())
        for item_id, item_kind in sorted(row.item_kinds.items(),
                                         key=lambda pair: numbers.get(pair[0], "")):
            lines.append(f"TOP {numbers.get(item_id, item_id)}: "
                         f"{KIND_LABELS.get(item_kind, item_kind)}")
    members = []
    if row.remote_members:
        names = dict((await session.execute(select(Person.id, Person.name).where(
            Person.id.in_(row.remote_members)))).tuples().all())
        for person, data in sorted(row.remote_members.items(),
                                   key=lambda pair: names.get(pair[0], pair[0])):
            parts = ["Einverständnis erklärt" if data.get("consent") else "kein Einverständnis"]
            if str(data.get("reason", "")).strip():
                parts.append(f"Antrag: {data['reason']}")
            members.append(f"{names.get(person, person)}: {'; '.join(parts)}")
    return HybridMinutes(lines=lines, members=members)
