"""Writing legislative terms, organizations (bodies or others), people and memberships."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ratsraum_meeting.masterdata.models import LegislativeTerm, Organization
from ratsraum_meeting.meetings.models import Body, Membership, Person
from ratsraum_meeting.oparl import parse
from ratsraum_meeting.oparl.store import Context, find, remove, upsert

# An organization is a body (Gremium) when the source says so; without organizationType,
# the classification decides ("Rat", "Ausschuss", ...).
_BODY_WORDS = ("rat", "ausschuss", "beirat", "bezirksvertretung", "kreistag", "gremium")
_PARTY_WORDS = ("fraktion", "partei", "gruppe")
SIZE_UNKNOWN_DE = ("Keine Mitgliederzahl (memberCount) angegeben; die gesetzliche Mitgliederzahl "
                   "gilt als unbekannt. Beschlussfähigkeit und Abstimmungen sind erst möglich, "
                   "wenn sie in den Stammdaten eingetragen ist.")
SIZE_UNKNOWN_EN = ("No member count (memberCount) given; the statutory number of members is "
                   "unknown. Quorum and votes are possible only once it is entered in the "
                   "master data.")


def _is_body(obj: dict[str, Any]) -> bool:
    kind = parse.text(obj, "organizationType", 80).lower()
    if kind:
        return kind == "gremium"
    classification = parse.text(obj, "classification", 120).lower()
    return any(word in classification for word in _BODY_WORDS)


async def save_term(session: AsyncSession, ctx: Context, obj: dict[str, Any]) -> None:
    """A legislative term."""
    oparl_id = str(obj["id"])
    if obj.get("deleted") is True:
        await remove(session, ctx, LegislativeTerm, oparl_id, kind="LegislativeTerm")
        return
    r = ctx.report
    await upsert(session, ctx, LegislativeTerm, oparl_id, {
        "name": parse.text(obj, "name", 200) or oparl_id[-200:],
        "start_date": parse.parse_date(obj, "startDate", kind="LegislativeTerm", report=r),
        "end_date": parse.parse_date(obj, "endDate", kind="LegislativeTerm", report=r),
    }, kind="LegislativeTerm")


async def _drop_memberships(session: AsyncSession, column: Any, row: Any) -> None:
    await session.execute(delete(Membership).where(column == row.id))


async def save_organization(session: AsyncSession, ctx: Context, obj: dict[str, Any]) -> None:
    """A body (Gremium) becomes a Body; party groups and offices an Organization."""
    oparl_id = str(obj["id"])
    if obj.get("deleted") is True:
        if await find(session, Body, oparl_id) is not None:
            await remove(session, ctx, Body, oparl_id, kind="Organization",
                         before=lambda row: _drop_memberships(session, Membership.body_id, row))
        else:
            await remove(session, ctx, Organization, oparl_id, kind="Organization")
        return
    name = parse.text(obj, "name", 300) or parse.text(obj, "shortName", 300)
    if not name:
        ctx.report.skip("Organization", oparl_id, "Organisation ohne Namen.")
        return
    short = parse.text(obj, "shortName", 80)
    classification = parse.text(obj, "classification", 120)
    if not _is_body(obj):
        await upsert(session, ctx, Organization, oparl_id, {
            "name": name, "short": short, "classification": classification,
            "organization_type": parse.text(obj, "organizationType", 80),
        }, kind="Organization")
        return
    size = obj.get("votingMemberCount", obj.get("memberCount"))
    values: dict[str, Any] = {"name": name, "short": short[:40],
                              "classification": classification or None}
    if isinstance(size, int) and size > 0:
        values["statutory_members"] = size
    elif (known := await find(session, Body, oparl_id)) is None or known.statutory_members <= 0:
        # Reported on every run until an admin enters it: quorum and votes wait for it.
        ctx.report.repair("Organization", oparl_id, "member-count-missing", SIZE_UNKNOWN_DE,
                          note_en=SIZE_UNKNOWN_EN)
    # 0 stands for "unknown" (never a real size): quorum then refuses instead of guessing.
    await upsert(session, ctx, Body, oparl_id, values, kind="Organization",
                 on_create={} if "statutory_members" in values else {"statutory_members": 0})


async def save_person(session: AsyncSession, ctx: Context, obj: dict[str, Any]) -> None:
    """A person, with the memberships embedded in them."""
    oparl_id = str(obj["id"])
    if obj.get("deleted") is True:
        await remove(session, ctx, Person, oparl_id, kind="Person",
                     before=lambda row: _drop_memberships(session, Membership.person_id, row))
        return
    given, family = parse.text(obj, "givenName", 100), parse.text(obj, "familyName", 100)
    name = parse.text(obj, "name", 200) or f"{given} {family}".strip()
    if not name:
        ctx.report.skip("Person", oparl_id, "Person ohne Namen.")
        return
    await upsert(session, ctx, Person, oparl_id, {"name": name}, kind="Person")
    for membership in parse.as_list(obj, "membership", kind="Person", report=ctx.report):
        if isinstance(membership, dict):
            await save_membership(session, ctx, membership, person_oparl_id=oparl_id)


async def save_membership(
    session: AsyncSession, ctx: Context, obj: dict[str, Any], *, person_oparl_id: str = ""
) -> None:
    """A seat in a body; a current seat in a party group sets the person's party."""
    oparl_id = str(obj.get("id", ""))
    if obj.get("deleted") is True:
        await remove(session, ctx, Membership, oparl_id, kind="Membership")
        return
    person_ref = person_oparl_id or str(obj.get("person", ""))
    person = await find(session, Person, person_ref) if person_ref else None
    org_ref = str(obj.get("organization", ""))
    body = await find(session, Body, org_ref) if org_ref else None
    r = ctx.report
    start = parse.parse_date(obj, "startDate", kind="Membership", report=r)
    end = parse.parse_date(obj, "endDate", kind="Membership", report=r)
    if person is None:
        r.skip("Membership", oparl_id, f"Person {person_ref or '(ohne Angabe)'} ist unbekannt.")
        return
    if body is None:
        await _party_membership(session, ctx, obj, person=person, org_ref=org_ref, end=end)
        return
    clash = (await session.scalars(select(Membership).where(
        Membership.body_id == body.id, Membership.person_id == person.id,
        or_(Membership.oparl_id.is_(None), Membership.oparl_id != oparl_id)))).first()
    if clash is not None and clash.oparl_id is None:
        # A seat entered by hand before the first import: the import takes it over.
        clash.oparl_id = oparl_id
        clash = None
    elif clash is not None and not _replaces(clash, end):
        r.skip("Membership", oparl_id, "Die Person hat in diesem Gremium bereits eine "
                                       "aktuellere Mitgliedschaft; Ratsraum führt je Person "
                                       "und Gremium nur eine.")
        return
    elif clash is not None:
        await session.delete(clash)
        await session.flush()
    await upsert(session, ctx, Membership, oparl_id, {
        "body_id": body.id, "person_id": person.id,
        "role": parse.membership_role(parse.text(obj, "role", 80)),
        "start_date": start, "end_date": end,
        "voting_right": obj["votingRight"] if isinstance(obj.get("votingRight"), bool) else None,
    }, kind="Membership")


def _replaces(existing: Membership, end: date | None) -> bool:
    """An open-ended or later-ending seat wins over the one already stored."""
    if existing.end_date is None:
        return False
    return end is None or end > existing.end_date


async def _party_membership(
    session: AsyncSession, ctx: Context, obj: dict[str, Any], *, person: Person, org_ref: str,
    end: date | None,
) -> None:
    org = await find(session, Organization, org_ref) if org_ref else None
    oparl_id = str(obj.get("id", ""))
    if org is None:
        ctx.report.skip("Membership", oparl_id,
                        f"Organisation {org_ref or '(ohne Angabe)'} ist unbekannt.")
        return
    kind = f"{org.organization_type} {org.classification}".lower()
    if not any(word in kind for word in _PARTY_WORDS):
        ctx.report.skip("Membership", oparl_id, "Mitgliedschaft in einer Organisation, die "
                                                "weder Gremium noch Fraktion ist.")
        return
    if end is not None and end < date.today():
        ctx.report.count("Membership", "unchanged")
        return
    party = (org.short or org.name)[:80]
    ctx.report.count("Membership", "updated" if person.party != party else "unchanged")
    person.party = party
