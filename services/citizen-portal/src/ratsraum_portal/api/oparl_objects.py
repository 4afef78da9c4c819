"""OParl 1.1 objects from public records: every type besides System, Body and Meeting.

Records hold what meeting published (plain fields, references by id); this module turns them
into OParl with https ids equal to their addresses. A deleted record answers as a stub
(`deleted: true` with its dates). What OParl has no place for goes into the documented
extension `ratsraum:vote` on AgendaItem (docs/oparl.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ratsraum_portal.meetings.schemas import result_summary
from ratsraum_portal.records.models import PublicRecord
from ratsraum_portal.records.service import item_key

SCHEMA = "https://schema.oparl.org/1.1/"
EXTENSION = "https://ratsraum.de/oparl/1.0/vote"
PLURAL = {
    "organization": "organizations", "person": "persons", "membership": "memberships",
    "legislative_term": "legislative-terms", "paper": "papers",
    "consultation": "consultations", "file": "files", "location": "locations",
    "agenda_item": "agenda-items", "meeting": "meetings",
}
KIND_OF_PATH = {path: kind for kind, path in PLURAL.items()}
TYPE = {
    "organization": "Organization", "person": "Person", "membership": "Membership",
    "legislative_term": "LegislativeTerm", "paper": "Paper", "consultation": "Consultation",
    "file": "File", "location": "Location", "agenda_item": "AgendaItem", "meeting": "Meeting",
}
ROLES = {"member": "Mitglied", "deputy": "Stellvertretendes Mitglied", "chair": "Vorsitz"}
# Reverse relations an object shows: (kind that refers, kind it refers to).
REVERSE: dict[str, tuple[tuple[str, str], ...]] = {
    "person": (("membership", "person"),),
    "organization": (("membership", "organization"),),
    "paper": (("file", "paper"), ("consultation", "paper"), ("location", "paper")),
    "agenda_item": (("file", "agenda_item"), ("consultation", "agenda_item")),
    "meeting": (("file", "meeting"), ("agenda_item", "meeting"), ("location", "meeting")),
}
# Back-references OParl leaves out of an object embedded in another (spec: "Wird nur dann
# ausgegeben, wenn das ...-Objekt nicht als eingebettetes Objekt aufgerufen wird").
BACKREFS = {
    "file": ("meeting", "agendaItem", "paper", "person"),
    "location": ("bodies", "organizations", "persons", "meetings", "papers"),
}


def iso(value: datetime | None) -> str | None:
    """An aware ISO 8601 stamp (stored stamps are UTC)."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def present(values: dict[str, Any]) -> dict[str, Any]:
    """OParl: leave out what is unknown or empty instead of sending null, "" or []."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


@dataclass(frozen=True, slots=True)
class Urls:
    """The addresses of one town's OParl objects behind the public base URL."""

    base: str
    tenant: str

    @property
    def body(self) -> str:
        """The town as an oparl:Body."""
        return f"{self.base}/oparl/v1/bodies/{self.tenant}"

    def list(self, kind: str) -> str:
        """The list of a kind."""
        return f"{self.base}/oparl/v1/{self.tenant}/{PLURAL[kind]}"

    def of(self, kind: str, record_id: str) -> str:
        """One object."""
        return f"{self.list(kind)}/{record_id}"

    def meetings_of(self, organization_id: str) -> str:
        """The list of an organization's meetings (OParl Organization.meeting)."""
        return f"{self.of('organization', organization_id)}/meetings"

    def download(self, file_id: str) -> str:
        """Where the portal hands out a file's bytes as a download."""
        return f"{self.base}/{self.tenant}/dokumente/{file_id}"


@dataclass(slots=True)
class Related:
    """Records referring to the objects being rendered: (kind, ref kind) -> target -> rows."""

    found: dict[tuple[str, str], dict[str, list[tuple[PublicRecord, str]]]] = field(
        default_factory=dict)

    def of(self, kind: str, ref_kind: str, target: str) -> list[tuple[PublicRecord, str]]:
        """Live records of `kind` naming the target (with the role they name it in)."""
        return self.found.get((kind, ref_kind), {}).get(target, [])


NOTHING = Related()


def stub(urls: Urls, record: PublicRecord) -> dict[str, Any]:
    """A deleted object: what it was and when it went."""
    return {"id": urls.of(record.kind, record.id), "type": f"{SCHEMA}{TYPE[record.kind]}",
            "created": iso(record.created_at), "modified": iso(record.modified_at),
            "deleted": True}


def _frame(urls: Urls, record: PublicRecord) -> dict[str, Any]:
    return {"id": urls.of(record.kind, record.id), "type": f"{SCHEMA}{TYPE[record.kind]}"}


def _stamps(record: PublicRecord) -> dict[str, Any]:
    return {"created": iso(record.created_at), "modified": iso(record.modified_at)}


def render(urls: Urls, record: PublicRecord, rel: Related = NOTHING) -> dict[str, Any]:
    """A record as its OParl object (a stub when deleted)."""
    if record.deleted:
        return stub(urls, record)
    build = _RENDERERS[record.kind]
    return present({**_frame(urls, record), **build(urls, record, rel), **_stamps(record)})


def embed(urls: Urls, record: PublicRecord, rel: Related = NOTHING) -> dict[str, Any]:
    """A record as an object embedded in another: without its back-references."""
    obj = render(urls, record, rel)
    for key in BACKREFS.get(record.kind, ()) if not record.deleted else ():
        obj.pop(key, None)
    return obj


def _organization(urls: Urls, r: PublicRecord, rel: Related) -> dict[str, Any]:
    d = r.data
    return {"body": urls.body, "name": d.get("name"), "shortName": d.get("short_name"),
            "organizationType": d.get("organization_type"),
            "classification": d.get("classification"),
            "meeting": urls.meetings_of(r.id),
            "membership": [urls.of("membership", m.id)
                           for m, _ in rel.of("membership", "organization", r.id)]}


def _person(urls: Urls, r: PublicRecord, rel: Related) -> dict[str, Any]:
    return {"body": urls.body, "name": r.data.get("name"),
            "membership": [render(urls, m) for m, _ in rel.of("membership", "person", r.id)]}


def _membership(urls: Urls, r: PublicRecord, _rel: Related) -> dict[str, Any]:
    d = r.data
    org = d.get("organization_id")
    return {"person": urls.of("person", str(d["person_id"])) if d.get("person_id") else None,
            "organization": urls.of("organization", str(org)) if org else None,
            "role": ROLES.get(str(d.get("role", "")), d.get("role")),
            "votingRight": d.get("voting_right"), "startDate": d.get("start_date"),
            "endDate": d.get("end_date")}


def _legislative_term(urls: Urls, r: PublicRecord, _rel: Related) -> dict[str, Any]:
    d = r.data
    return {"body": urls.body, "name": d.get("name"), "startDate": d.get("start_date"),
            "endDate": d.get("end_date")}


def _files_in(urls: Urls, rel: Related, ref_kind: str, target: str,
              role: str) -> list[dict[str, Any]]:
    return [embed(urls, f) for f, r in rel.of("file", ref_kind, target) if r == role]


def _paper(urls: Urls, r: PublicRecord, rel: Related) -> dict[str, Any]:
    d = r.data
    main = _files_in(urls, rel, "paper", r.id, "mainFile")
    return {"body": urls.body, "name": d.get("name"), "reference": d.get("reference"),
            "date": d.get("date"), "paperType": d.get("paper_type"),
            "mainFile": main[0] if main else None,
            "auxiliaryFile": main[1:] + _files_in(urls, rel, "paper", r.id, "auxiliaryFile"),
            "location": [embed(urls, x) for x, _ in rel.of("location", "paper", r.id)],
            "consultation": [render(urls, c) for c, _ in rel.of("consultation", "paper", r.id)]}


def _consultation(urls: Urls, r: PublicRecord, _rel: Related) -> dict[str, Any]:
    d = r.data
    meeting, item = str(d.get("meeting_id", "")), str(d.get("agenda_item_id", ""))
    return {"paper": urls.of("paper", str(d["paper_id"])) if d.get("paper_id") else None,
            "meeting": urls.of("meeting", meeting) if meeting else None,
            "agendaItem": urls.of("agenda_item", item_key(meeting, item))
            if meeting and item else None,
            "organization": [urls.of("organization", str(d["organization_id"]))]
            if d.get("organization_id") else None}


def _file(urls: Urls, r: PublicRecord, _rel: Related) -> dict[str, Any]:
    d = r.data
    links = d.get("links", [])

    def owners(kind: str) -> list[str]:
        ids = [item_key(str(x.get("meeting_id", "")), str(x["owner_id"]))
               if kind == "agenda_item" else str(x["owner_id"])
               for x in links if x.get("owner_kind") == kind]
        return [urls.of(kind, i) for i in dict.fromkeys(ids)]

    size = d.get("size")
    return {"name": d.get("name"), "fileName": d.get("file_name"),
            "mimeType": d.get("mime_type"), "date": d.get("date"),
            "size": int(size) if size is not None else None, "sha1Checksum": d.get("sha1"),
            # The bytes stay at the town's source; the portal hands them out as a download.
            "accessUrl": d.get("access_url"), "downloadUrl": urls.download(r.id),
            "meeting": owners("meeting"), "agendaItem": owners("agenda_item"),
            "paper": owners("paper")}


def _location(urls: Urls, r: PublicRecord, _rel: Related) -> dict[str, Any]:
    d = r.data
    geojson = None
    if isinstance(d.get("lon"), int | float) and isinstance(d.get("lat"), int | float):
        geojson = {"type": "Feature", "properties": present({"name": d.get("description")}),
                   "geometry": {"type": "Point", "coordinates": [d["lon"], d["lat"]]}}
    return {"description": d.get("description"), "geojson": geojson,
            "papers": [urls.of("paper", str(d["paper_id"]))] if d.get("paper_id") else None,
            "meetings": [urls.of("meeting", str(d["meeting_id"]))]
            if d.get("meeting_id") else None}


def vote_extension(result: dict[str, Any]) -> dict[str, Any]:
    """A public vote's record for `ratsraum:vote` (docs/oparl.md)."""
    method = str(result.get("method", ""))
    return present({
        "@context": EXTENSION, "method": method,
        "majorityRule": result.get("majority_rule"), "outcome": result.get("outcome"),
        "yes": int(result.get("yes", 0)), "no": int(result.get("no", 0)),
        "abstain": int(result.get("abstain", 0)),
        "ballotsCast": int(result.get("ballots_cast", 0)),
        "rollSize": int(result.get("roll_size", 0)),
        "showOfHands": bool(result.get("show_of_hands", False)) if method == "open" else None,
        "closed": result.get("closed_at"), "explanation": result.get("explanation"),
        "namedVotes": [{"name": str(v.get("name", "")), "vote": str(v.get("option_id", ""))}
                       for v in result.get("named_votes", [])],
        "secretRecordSha256": result.get("record_sha256"),
    })


def _agenda_item(urls: Urls, r: PublicRecord, rel: Related) -> dict[str, Any]:
    d = r.data
    result = d.get("result")
    # Every counted vote, oldest first; items stored before meeting sent them know the last.
    votes = d.get("results") or ([result] if result else [])
    consultations = rel.of("consultation", "agenda_item", r.id)
    return {"meeting": urls.of("meeting", str(d.get("meeting_id", ""))),
            "number": d.get("number"), "order": int(d.get("position", 0)),
            "name": d.get("title"), "public": True,
            "consultation": urls.of("consultation", consultations[0][0].id)
            if consultations else None,
            "result": result_summary(result) if result else None,
            "resolutionText": d.get("resolution_text"),
            "resolutionFile": next(iter(_files_in(urls, rel, "agenda_item", r.id,
                                                  "resolutionFile")), None),
            "auxiliaryFile": _files_in(urls, rel, "agenda_item", r.id, "auxiliaryFile"),
            "ratsraum:vote": vote_extension(result) if result else None,
            "ratsraum:votes": [vote_extension(v) for v in votes]}


_RENDERERS = {
    "organization": _organization, "person": _person, "membership": _membership,
    "legislative_term": _legislative_term, "paper": _paper, "consultation": _consultation,
    "file": _file, "location": _location, "agenda_item": _agenda_item,
}
