"""The demo town every embedded start seeds: Stadt Soest and one of its committees.

One definition serves identity (accounts), meeting (body, members, meeting, agenda) and the
launcher (which prints the logins). Passwords are never in code: they are generated on first
run into the data folder and read from there.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TENANT = "soest"
TENANT_NAME = "Stadt Soest"
BODY_NAME = "Ausschuss für Innovation und Digitalisierung"
BODY_SHORT = "AID"
STATUTORY_MEMBERS = 11
RULE_PROFILE = "NRW"
LOCATION = "Rathaus Soest, Sitzungssaal, Am Vreithof 8, 59494 Soest"
WEB_CLIENT_ID = "ratsraum-web"
MEETING_AUDIENCE = "ratsraum-meeting"
_NAMESPACE = uuid.UUID("6f1b3c1e-2f55-4d0e-9a51-8a7f0d9b2c10")


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A demo account: its login, display name, and roles in the demo town."""

    username: str
    given_name: str
    family_name: str
    roles: tuple[str, ...]
    party: str = ""
    tenant: str = TENANT

    @property
    def name(self) -> str:
        """Display name."""
        return f"{self.given_name} {self.family_name}"

    @property
    def subject(self) -> str:
        """Stable subject id, the same in identity and meeting."""
        return subject_for(self.tenant, self.username)

    @property
    def email(self) -> str:
        """An example address (RFC 2606 `.example`: never delivered), e.g. for invitations."""
        return f"{self.username}@{self.tenant}.example"

    @property
    def is_member(self) -> bool:
        """Holds a seat in the committee (the chair does too)."""
        return "member" in self.roles


def subject_for(tenant: str, username: str) -> str:
    """Deterministic subject id for a seeded account."""
    return str(uuid.uuid5(_NAMESPACE, f"{tenant}:{username}"))


def body_id_for(tenant: str, short: str) -> str:
    """Stable id of a seeded town's body (meeting's body id, named in tokens' body roles)."""
    return subject_for(tenant, f"body:{short.lower() or 'main'}")


# Seeded roles held in the whole town; every other seeded role is one in the town's body.
SEEDED_TOWN_ROLES = frozenset({"admin", "operator"})


def role_claims(roles: tuple[str, ...] | list[str], body: str) -> dict[str, list[Any]]:
    """The roles claims of a token (identity's shape) for seeded roles in one body."""
    town = sorted(r for r in roles if r in SEEDED_TOWN_ROLES)
    in_body = sorted(r for r in roles if r not in SEEDED_TOWN_ROLES)
    return {"roles": sorted(set(roles)), "town_roles": town,
            "body_roles": [{"body": body, "role": r} for r in in_body]}


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("schulte", "Anna", "Schulte", ("member", "chair"), "CDU"),
    DemoPerson("becker", "Markus", "Becker", ("member",), "SPD"),
    DemoPerson("hoffmann", "Petra", "Hoffmann", ("member",), "GRÜNE"),
    DemoPerson("yilmaz", "Deniz", "Yilmaz", ("member",), "SPD"),
    DemoPerson("wagner", "Stefan", "Wagner", ("member",), "CDU"),
    DemoPerson("krause", "Sabine", "Krause", ("member",), "FDP"),
    DemoPerson("neumann", "Jörg", "Neumann", ("member",), "CDU"),
    DemoPerson("schmitz", "Claudia", "Schmitz", ("member",), "GRÜNE"),
    DemoPerson("klein", "Tobias", "Klein", ("member",), "BG"),
    DemoPerson("wolf", "Miriam", "Wolf", ("member",), "SPD"),
    DemoPerson("braun", "Heinz", "Braun", ("member",), "CDU"),
    DemoPerson("richter", "Jana", "Richter", ("clerk",)),
    DemoPerson("lange", "Thomas", "Lange", ("admin",)),
)

MEETING_ID = str(uuid.uuid5(_NAMESPACE, f"{TENANT}:meeting:aid-4"))
MEETING_TITLE = "4. Sitzung des Ausschusses für Innovation und Digitalisierung"


@dataclass(frozen=True, slots=True)
class DemoAgendaItem:
    """One agenda item of the demo meeting."""

    key: str
    number: str
    title: str
    public: bool
    votable: bool
    tenant: str = TENANT

    @property
    def id(self) -> str:
        """Stable id."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.tenant}:item:{self.key}"))


AGENDA: tuple[DemoAgendaItem, ...] = (
    DemoAgendaItem("o1", "Ö 1", "Eröffnung der Sitzung, Feststellung der ordnungsgemäßen "
                   "Einladung und der Beschlussfähigkeit", True, False),
    DemoAgendaItem("o2", "Ö 2", "Genehmigung der Niederschrift der 3. Sitzung", True, True),
    DemoAgendaItem("o3", "Ö 3", "Einführung eines digitalen Bürgerservice-Portals "
                   "(Vorlage 2026/117)", True, True),
    DemoAgendaItem("o4", "Ö 4", "Ausbau des freien WLAN in der Innenstadt "
                   "(Antrag der Fraktion BG)", True, True),
    DemoAgendaItem("o5", "Ö 5", "Einwohnerfragestunde", True, False),
    DemoAgendaItem("o6", "Ö 6", "Mitteilungen der Verwaltung", True, False),
    DemoAgendaItem("n1", "N 1", "Vergabe von IT-Dienstleistungen für das Rechenzentrum",
                   False, True),
    DemoAgendaItem("n2", "N 2", "Grundstücksangelegenheit Gewerbegebiet Süd", False, True),
)


def meeting_start(today: datetime | None = None) -> datetime:
    """Next Tuesday at 17:00 Berlin time (a typical committee slot), as UTC."""
    berlin = ZoneInfo("Europe/Berlin")
    now = (today or datetime.now(UTC)).astimezone(berlin)
    days = (1 - now.weekday()) % 7 or 7
    local = datetime.combine(now.date() + timedelta(days=days), time(17, 0), tzinfo=berlin)
    return local.astimezone(UTC)


def credentials_path(data_dir: Path) -> Path:
    """Where the demo logins are kept."""
    return data_dir / "demo-logins.json"


def ensure_credentials(data_dir: Path) -> dict[str, str]:
    """Load the demo passwords, generating them on first run (file mode 0600)."""
    path = credentials_path(data_dir)
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if all(p.username in stored for p in PEOPLE):
            return stored
    data_dir.mkdir(parents=True, exist_ok=True)
    passwords = {p.username: secrets.token_urlsafe(9) for p in PEOPLE}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(passwords, handle, indent=2)
    return passwords


@dataclass(frozen=True, slots=True)
class TownSeed:
    """Everything needed to set up one town with one body and one meeting.

    The demo town is one; benchmarks generate larger ones and hand them to identity and
    meeting as a JSON file (IDENTITY_SEED_FILES / MEETING_SEED_FILES).
    """

    tenant: str
    tenant_name: str
    body_name: str
    body_short: str
    statutory_members: int
    rule_profile: str
    people: tuple[DemoPerson, ...]
    meeting_id: str
    meeting_title: str
    location: str
    agenda: tuple[DemoAgendaItem, ...]
    passwords_file: str = ""

    def passwords(self, data_dir: Path) -> dict[str, str]:
        """The people's passwords: from passwords_file, or the demo's generated logins."""
        if self.passwords_file:
            loaded: dict[str, str] = json.loads(Path(self.passwords_file).read_text("utf-8"))
            return loaded
        return ensure_credentials(data_dir)

    def to_json(self) -> str:
        """Serialise for a seed file."""
        body = {
            "tenant": self.tenant, "tenant_name": self.tenant_name,
            "body_name": self.body_name, "body_short": self.body_short,
            "statutory_members": self.statutory_members, "rule_profile": self.rule_profile,
            "meeting_id": self.meeting_id, "meeting_title": self.meeting_title,
            "location": self.location, "passwords_file": self.passwords_file,
            "people": [{"username": p.username, "given_name": p.given_name,
                        "family_name": p.family_name, "roles": list(p.roles),
                        "party": p.party} for p in self.people],
            "agenda": [{"key": a.key, "number": a.number, "title": a.title,
                        "public": a.public, "votable": a.votable} for a in self.agenda],
        }
        return json.dumps(body, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> TownSeed:
        """Parse a seed file; raises ValueError with the reason."""
        try:
            raw = json.loads(text)
            tenant = str(raw["tenant"])
            return cls(
                tenant=tenant, tenant_name=str(raw["tenant_name"]),
                body_name=str(raw["body_name"]), body_short=str(raw.get("body_short", "")),
                statutory_members=int(raw["statutory_members"]),
                rule_profile=str(raw.get("rule_profile", "NRW")),
                meeting_id=str(raw["meeting_id"]), meeting_title=str(raw["meeting_title"]),
                location=str(raw.get("location", "")),
                passwords_file=str(raw.get("passwords_file", "")),
                people=tuple(
                    DemoPerson(str(p["username"]), str(p["given_name"]),
                               str(p["family_name"]), tuple(p["roles"]),
                               str(p.get("party", "")), tenant)
                    for p in raw["people"]),
                agenda=tuple(
                    DemoAgendaItem(str(a["key"]), str(a["number"]), str(a["title"]),
                                   bool(a["public"]), bool(a["votable"]), tenant)
                    for a in raw["agenda"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"invalid town seed: {exc}") from exc


DEMO_TOWN = TownSeed(
    tenant=TENANT, tenant_name=TENANT_NAME, body_name=BODY_NAME, body_short=BODY_SHORT,
    statutory_members=STATUTORY_MEMBERS, rule_profile=RULE_PROFILE, people=PEOPLE,
    meeting_id=MEETING_ID, meeting_title=MEETING_TITLE, location=LOCATION, agenda=AGENDA,
)


def generated_town(tenant: str, members: int, passwords_file: Path) -> TownSeed:
    """A large town for benchmarks: `members` members (the first chairs) and a clerk."""
    members_ = [
        DemoPerson(f"m{n:05d}", "Mitglied", f"Nr. {n}",
                   ("member", "chair") if n == 1 else ("member",), "", tenant)
        for n in range(1, members + 1)
    ]
    people = (*members_, DemoPerson("clerk", "Schrift", "Führung", ("clerk",), "", tenant))
    agenda = (DemoAgendaItem("o1", "Ö 1", "Abstimmung unter Last", True, True, tenant),)
    return TownSeed(
        tenant=tenant, tenant_name=f"Lasttest {tenant}", body_name="Versammlung",
        body_short="V", statutory_members=members, rule_profile="NRW", people=people,
        meeting_id=str(uuid.uuid5(_NAMESPACE, f"{tenant}:meeting:load")),
        meeting_title="Lasttest-Sitzung", location="Online", agenda=agenda,
        passwords_file=str(passwords_file),
    )
