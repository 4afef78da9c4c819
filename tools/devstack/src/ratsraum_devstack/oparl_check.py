"""OParl 1.1 checks for tests: fetch objects, crawl lists by `links.next`, and hold what is
served to the specification's schemas (../shared/oparl/schema) and to its written rules.

The rules checked beyond the schemas: ids are the addresses objects are fetched at, nothing is
sent empty (null, "", {} or [], but for the Body's required `legislativeTerm`), embedded File
and Location objects carry no back-references, back-references agree in both directions
(Meeting.location and Location.meetings, Paper.location and Location.papers, Organization.meeting
and Meeting.organization), and Meeting.participant names only public persons of a held meeting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped, unused-ignore]

from ratsraum_devstack.paths import shared_dir

OPARL = "https://schema.oparl.org/1.1/"
# Spec: "Wird nur dann ausgegeben, wenn das ...-Objekt nicht als eingebettetes Objekt
# aufgerufen wird."
BACKREFS = {
    "File": frozenset({"meeting", "agendaItem", "paper", "person"}),
    "Location": frozenset({"bodies", "organizations", "persons", "meetings", "papers"}),
}
HELD = "durchgeführt"


@cache
def schema(kind: str) -> dict[str, Any]:
    """The specification's JSON schema of an OParl type."""
    path = shared_dir() / "oparl" / "schema" / f"{kind}.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def kind_of(obj: dict[str, Any]) -> str:
    """The OParl type name of an object ("Meeting")."""
    return str(obj["type"]).removeprefix(OPARL)


def validate(obj: dict[str, Any], *, embedded: bool = False) -> None:
    """An object (and what it embeds) matches its schema and the rules on empty values and
    back-references of embedded objects."""
    kind = kind_of(obj)
    jsonschema.validate(obj, schema(kind))
    for key, value in obj.items():
        assert value not in (None, "", {}), f"{kind}.{key} is empty; it should be left out"
        assert value != [] or key == "legislativeTerm", f"{kind}.{key} is an empty list"
    if embedded:
        extra = BACKREFS.get(kind, frozenset()) & set(obj)
        assert not extra, f"embedded {kind} {obj['id']} carries back-references {extra}"
    for value in obj.values():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict) and str(inner.get("type", "")).startswith(OPARL):
                validate(inner, embedded=True)


def addresses(value: Any, prefix: str) -> set[str]:
    """Every address under `prefix` an object names, embedded objects included (not ids)."""
    if isinstance(value, str):
        return {value} if value.startswith(prefix) else set()
    if isinstance(value, list):
        return set().union(*(addresses(v, prefix) for v in value))
    if isinstance(value, dict):
        return set().union(*(addresses(v, prefix) for k, v in value.items() if k != "id"))
    return set()


@dataclass(frozen=True, slots=True)
class OParlClient:
    """Reads an OParl server whose ids start with `base` through an HTTP client of the app."""

    http: httpx.AsyncClient
    base: str

    async def get(self, url: str, **params: str) -> dict[str, Any]:
        """An answer of an OParl address: 200, open to every origin (CORS), JSON."""
        assert url.startswith(f"{self.base}/oparl/v1/"), url
        # httpx would drop the query of a `links.next` address when given empty params.
        response = await self.http.get(url.removeprefix(self.base), params=params or None)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["access-control-allow-origin"] == "*"
        body: dict[str, Any] = response.json()
        return body

    async def crawl(self, url: str, **params: str) -> list[dict[str, Any]]:
        """Every object of a list, one per page; the `links.next` chain must end."""
        found: list[dict[str, Any]] = []
        seen: set[str] = set()
        page = await self.get(url, limit="1", **params)
        while True:
            assert page["links"]["self"] not in seen, "links.next runs in a circle"
            seen.add(page["links"]["self"])
            assert len(page["data"]) <= 1
            found.extend(page["data"])
            if "next" not in page["links"]:
                return found
            page = await self.get(page["links"]["next"])

    async def crawl_body(self, body: dict[str, Any],
                         lists: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """Every object of a Body's lists, each validated and equal to the object at its id."""
        objects: dict[str, dict[str, Any]] = {}
        for name in lists:
            for obj in await self.crawl(body[name]):
                validate(obj)
                assert await self.get(obj["id"]) == obj  # the id is its address
                objects[obj["id"]] = obj
        return objects

    async def check_references(self, objects: dict[str, dict[str, Any]]) -> None:
        """The spec's back-references agree both ways, and every named address answers."""
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for obj in objects.values():
            by_kind.setdefault(kind_of(obj), []).append(obj)
        live = [o for o in objects.values() if not o.get("deleted")]
        for meeting in (m for m in by_kind.get("Meeting", []) if not m.get("deleted")):
            place = meeting.get("location")
            if place is not None:
                assert place["id"] in objects, f"{meeting['id']}: its place is not listed"
                listed = objects[place["id"]]
                assert meeting["id"] in listed.get("meetings", []), listed
                assert {k: v for k, v in listed.items() if k not in BACKREFS["Location"]} == place
            took_part = meeting.get("participant", [])
            assert not took_part or meeting["meetingState"] == HELD, (
                f"{meeting['id']} names participants before it was held")
            for person in took_part:
                assert kind_of(objects.get(person, {"type": ""})) == "Person", person
                assert not objects[person].get("deleted"), f"{person} is not public"
        for place in (p for p in by_kind.get("Location", []) if not p.get("deleted")):
            for meeting_id in place.get("meetings", []):
                assert objects[meeting_id]["location"]["id"] == place["id"]
            for paper_id in place.get("papers", []):
                assert place["id"] in [x["id"] for x in objects[paper_id].get("location", [])]
        for org in (o for o in by_kind.get("Organization", []) if not o.get("deleted")):
            held = {m["id"] for m in await self.crawl(org["meeting"])}
            named = {m["id"] for m in by_kind.get("Meeting", [])
                     if org["id"] in m.get("organization", [])}
            assert held == named, (org["id"], held, named)
        prefix = f"{self.base}/oparl/"
        named_addresses = set().union(*(addresses(o, prefix) for o in live))
        for address in named_addresses - set(objects):
            await self.get(address.split("?")[0])  # every named address answers
