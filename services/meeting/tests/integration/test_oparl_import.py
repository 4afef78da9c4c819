"""OParl import against a real local HTTP server serving the OParl examples with real defects."""

from __future__ import annotations

import asyncio
import copy
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ratsraum_common import demo
from ratsraum_devstack.paths import shared_dir
from ratsraum_meeting.meetings.models import Body, Meeting
from ratsraum_meeting.oparl.models import OParlImport

SHARED = shared_dir() / "oparl"
EXAMPLE_HOST = "https://oparl.example.org/"
IMPORTS = "/api/v1/admin/oparl/imports"


def _example(name: str, base: str) -> dict[str, Any]:
    """An example file with its ids and URLs moved to the local server."""
    text = (SHARED / "examples" / f"{name}-01.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text.replace(EXAMPLE_HOST, base + "/"))
    return data


def _universe(base: str) -> dict[str, list[dict[str, Any]]]:
    """A coherent town from the examples, with every defect the README lists."""
    org = _example("Organization", base)  # a Gremium without memberCount
    group = {**copy.deepcopy(org), "id": f"{base}/organization/40", "name": "SPD-Fraktion",
             "shortName": "SPD", "organizationType": "Fraktion", "classification": "Fraktion"}
    # IDs as query strings, as some servers send them.
    env = {**copy.deepcopy(org), "id": f"{base}/organizations?id=35", "memberCount": 9,
           "name": "Ausschuss für Umwelt", "shortName": "UA"}
    max_ = _example("Person", base)
    max_["membership"][0]["organization"] = org["id"]  # "Vorsitzende"
    max_["membership"][1].update(organization=group["id"])
    del max_["membership"][1]["endDate"]
    erika = {**copy.deepcopy(max_), "id": f"{base}/person/30", "name": "Erika Musterfrau",
             "membership": [
                 {**max_["membership"][0], "id": f"{base}/memberships/386",
                  "role": "Stellvertreterin"},
                 {**max_["membership"][0], "id": f"{base}/memberships/387",
                  "organization": env["id"], "role": "Mitglied"},
             ]}
    memberships = [
        {"id": f"{base}/memberships/900", "type": "https://schema.oparl.org/1.1/Membership",
         "person": max_["id"], "organization": env["id"], "role": "Mitglied",
         "modified": "2012-08-16T14:05:27+02:00"},
        {"id": f"{base}/memberships/901", "type": "https://schema.oparl.org/1.1/Membership",
         "person": f"{base}/person/999", "organization": env["id"],
         "modified": "2012-08-16T14:05:27+02:00"},
    ]
    meeting = _example("Meeting", base)  # its agenda item lacks `order`
    for key, number in (("invitation", 40), ("resultsProtocol", 41),
                        ("verbatimProtocol", 42)):
        meeting[key]["id"] = f"{base}/files/577{number}"
    meeting["invitation"]["date"] = "2012-01-08T10:00:00+01:00"
    meeting["resultsProtocol"]["mimeType"] = "pdf"
    meeting["verbatimProtocol"]["downloadUrl"] = ""
    meeting["auxiliaryFile"] = meeting["auxiliaryFile"][0]  # an object, not an array
    # The examples give files/57739 two different contents; a real server would not.
    meeting["auxiliaryFile"]["id"] = f"{base}/files/57743"
    future = {**copy.deepcopy(meeting), "id": f"{base}/meeting/282",
              "name": "1. Sitzung des Umweltausschusses", "organization": [env["id"]],
              "start": "2030-03-01T17:00:00+01:00", "end": "2030-03-01T19:00:00+01:00",
              "agendaItem": [{**meeting["agendaItem"][0], "id": f"{base}/agendaitem/3300",
                              "order": 0, "number": "1", "name": "Baumschutzsatzung"}]}
    for key in ("invitation", "resultsProtocol", "verbatimProtocol", "auxiliaryFile"):
        del future[key]
    orphan = {**copy.deepcopy(future), "id": f"{base}/meeting/283", "organization": [],
              "agendaItem": []}
    paper = _example("Paper", base)
    paper["mainFile"] = _example("File", base)
    paper["mainFile"].update(date="2013-01-04T07:54:13+01:00", mimeType="pdf")
    berlin = _example("Location", base)  # lat/lon instead of lon/lat
    paper["location"].append(berlin)
    paper["auxiliaryFile"] = paper["auxiliaryFile"][0]
    paper["consultation"][0]["agendaItem"] = meeting["agendaItem"][0]["id"]
    no_access = {**copy.deepcopy(paper), "id": f"{base}/paper/750", "name": "Anfrage",
                 "reference": "1300/2014", "consultation": [], "location": [],
                 "auxiliaryFile": [], "mainFile": {**paper["mainFile"],
                                                   "id": f"{base}/files/60000",
                                                   "accessUrl": "", "downloadUrl": ""}}
    return {"/organizations": [org, group, env], "/persons": [max_, erika],
            "/memberships": memberships, "/meetings": [meeting, future, orphan],
            "/papers": [paper, no_access]}


@dataclass
class OParlServer:
    """The local OParl server: its data, what it was asked, and one-off failures to inject."""

    base: str
    lists: dict[str, list[dict[str, Any]]]
    requests: list[str] = field(default_factory=list)
    fail_once: set[str] = field(default_factory=set)

    def touch(self, path: str, index: int, **changes: Any) -> None:
        """Change an object (or replace it when `replace` is given) and mark it modified now."""
        stamp = datetime.now(UTC).isoformat()
        replacement = changes.pop("replace", None)
        if replacement is not None:
            self.lists[path][index] = {**replacement, "modified": stamp}
        else:
            self.lists[path][index].update(changes, modified=stamp)

    def app(self) -> Starlette:
        """The Starlette app serving System, Body and the paginated lists."""
        page_sizes = {"/organizations": 1, "/persons": 1, "/memberships": 1,
                      "/meetings": 2, "/papers": 2}

        async def handle(request: Request) -> Response:
            self.requests.append(str(request.url))
            path = request.url.path.removeprefix("/oparl")
            if path in self.fail_once:
                self.fail_once.discard(path)
                return Response("busy", status_code=503)
            if path == "/":
                system = _example("System", self.base)
                system.update(id=f"{self.base}/", body=f"{self.base}/bodies")
                return Response(json.dumps(system), media_type="text/json")
            if path == "/bodies":
                return self._page(request, [self._body()], 1)
            if path in page_sizes:
                return self._page(request, self.lists[path], page_sizes[path])
            return Response("{}", status_code=404, media_type="application/json")

        return Starlette(routes=[Route("/{rest:path}", handle)])

    def _body(self) -> dict[str, Any]:
        body = _example("Body", self.base)  # lacks legislativeTermList
        for key in ("organization", "person", "membership", "paper"):
            body[key] = f"{self.base}/{key}s"
        body["meeting"] = f"{self.base}/meetings?body=0"  # a list URL with its own query
        return body

    def _page(self, request: Request, items: list[dict[str, Any]], size: int) -> Response:
        since = request.query_params.get("modified_since")
        if since:
            cut = datetime.fromisoformat(since)
            items = [i for i in items if datetime.fromisoformat(i["modified"]) >= cut]
            if not items:  # the defect: 404 instead of an empty list
                return Response('{"error": "not found"}', status_code=404,
                                media_type="application/json")
        page = int(request.query_params.get("page", "1"))
        data = items[(page - 1) * size:page * size]
        links = {}
        if page * size < len(items):
            links["next"] = str(request.url.include_query_params(page=page + 1))
        body = {"data": data, "pagination": {"currentPage": page}, "links": links}
        return Response(json.dumps(body), media_type="application/json")


@pytest.fixture
async def oparl() -> AsyncIterator[OParlServer]:
    """The OParl server on a free local port, stopped after the test."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/oparl"
    server_data = OParlServer(base=base, lists=_universe(base))
    server = uvicorn.Server(uvicorn.Config(server_data.app(), log_level="warning",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers only this flag
        await asyncio.sleep(0.01)
    yield server_data
    server.should_exit = True
    await task
    sock.close()


def _defects(report: dict[str, Any]) -> set[str]:
    return {entry["defect"] for entry in report["repaired"]}


def _skipped(report: dict[str, Any], kind: str) -> list[str]:
    return [entry["reason"] for entry in report["skipped"] if entry["type"] == kind]


async def test_full_import_repairs_defects_and_reports_what_it_skipped(
    meeting: Any, issuer: Any, oparl: OParlServer
) -> None:
    admin = issuer.person("lange")
    oparl.fail_once.add("/persons")  # one 503 on the way: a bounded retry gets past it
    response = await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                         headers=admin)
    assert response.status_code == 200, response.text
    run = response.json()
    report = run["report"]
    assert run["status"] == "completed", report["errors"]
    assert run["modified_since"] is None
    assert _defects(report) >= {
        "content-type-text-json", "legislative-term-list-missing", "order-missing",
        "date-datetime", "mimetype-bare", "download-url-empty", "auxiliaryFile-not-array",
        "geojson-latlon", "member-count-missing",
    }
    assert any("Gremium" in r for r in _skipped(report, "Meeting"))
    assert any("accessUrl" in r for r in _skipped(report, "File"))
    assert any("person/999" in r for r in _skipped(report, "Membership"))
    assert report["counts"]["Organization"] == {"created": 3}
    assert report["counts"]["Meeting"] == {"created": 2, "skipped": 1}
    # Pagination was followed (one object per page) and the list URL kept its own query.
    assert sum("/persons" in url for url in oparl.requests) == 3  # 503, page 1, page 2
    assert any("meetings?body=0&page=2" in url for url in oparl.requests)

    bodies = {b["name"]: b for b in (await meeting.client.get(
        "/api/v1/admin/bodies", headers=admin)).json()}
    finance, env = bodies["Ausschuss für Haushalt und Finanzen"], bodies["Ausschuss für Umwelt"]
    assert env["oparl_id"] == f"{oparl.base}/organizations?id=35"
    assert env["statutory_members"] == 9
    persons = {p["name"]: p for p in (await meeting.client.get(
        "/api/v1/admin/persons", headers=admin)).json()}
    max_, erika = persons["Prof. Dr. Max Mustermann"], persons["Erika Musterfrau"]
    assert max_["party"] == "SPD"  # from the current seat in the party group
    seats = (await meeting.client.get("/api/v1/admin/memberships", headers=admin)).json()
    roles = {(s["person_id"], s["body_id"]): s["role"] for s in seats}
    assert roles[(max_["id"], finance["id"])] == "chair"
    assert roles[(erika["id"], finance["id"])] == "deputy"
    assert roles[(max_["id"], env["id"])] == "member"
    terms = (await meeting.client.get("/api/v1/admin/legislative-terms", headers=admin)).json()
    assert [t["name"] for t in terms] == ["21. Wahlperiode"]

    listing = (await meeting.client.get("/api/v1/meetings", headers=admin)).json()
    finance_meeting = next(m for m in listing if m["title"] == "4. Sitzung des Finanzausschusses")
    assert finance_meeting["status"] == "closed"  # history, not something to run
    detail = (await meeting.client.get(f"/api/v1/meetings/{finance_meeting['id']}",
                                       headers=admin)).json()
    assert [(a["number"], a["position"]) for a in detail["agenda"]] == [("10.1", 1)]

    papers = (await meeting.client.get("/api/v1/admin/papers", headers=admin)).json()
    paper = next(p for p in papers if p["reference"] == "1234/2014")
    assert {"description": "Deutscher Bundestag, Platz der Republik 1, 11011 Berlin",
            "lon": 13.376198, "lat": 52.518855} in paper["locations"]
    detail = (await meeting.client.get(f"/api/v1/admin/papers/{paper['id']}",
                                       headers=admin)).json()
    assert detail["agenda_item_ids"] == [detail_item["id"] for detail_item in
                                         (await meeting.client.get(
                                             f"/api/v1/meetings/{finance_meeting['id']}",
                                             headers=admin)).json()["agenda"]]
    main = next(f for f in detail["files"] if f["role"] == "mainFile")
    assert (main["mime_type"], main["date"]) == ("application/pdf", "2013-01-04")
    # What we keep of a repaired file is valid OParl again.
    schema = json.loads((SHARED / "schema" / "File.json").read_text(encoding="utf-8"))
    jsonschema.validate(
        {"id": main["oparl_id"], "type": "https://schema.oparl.org/1.1/File",
         "accessUrl": main["access_url"], "mimeType": main["mime_type"], "date": main["date"]},
        schema, format_checker=jsonschema.FormatChecker(),
    )


async def test_incremental_import_applies_deletions_and_changes_only(
    meeting: Any, issuer: Any, oparl: OParlServer
) -> None:
    admin = issuer.person("lange")
    first = await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                      headers=admin)
    assert first.json()["status"] == "completed"
    oparl.touch("/persons", 1, replace={"id": f"{oparl.base}/person/30", "deleted": True})
    oparl.touch("/meetings", 1, name="1. Sitzung des Umweltausschusses (verlegt)")
    oparl.touch("/meetings", 0)  # modified stamp only: must come out "unchanged"
    async with meeting.app.state.db.tenant_session("soest") as session:
        finance = (await session.scalars(select(Meeting).where(
            Meeting.oparl_id == f"{oparl.base}/meeting/281"))).one()
        version_before = finance.version
    oparl.requests.clear()

    second = await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                       headers=admin)
    run = second.json()
    report = run["report"]
    assert run["status"] == "completed", report["errors"]
    assert run["modified_since"] is not None
    list_requests = [u for u in oparl.requests if "/bodies" not in u and not u.endswith("/")]
    assert list_requests
    assert all("modified_since=" in u for u in list_requests)
    assert {"modified-since-404", "deleted-without-type"} <= _defects(report)
    assert report["counts"]["Person"] == {"deleted": 1}
    assert report["counts"]["Meeting"] == {"updated": 1, "unchanged": 1}
    assert report["counts"]["AgendaItem"] == {"unchanged": 2}
    assert "Organization" not in report["counts"]

    persons = (await meeting.client.get("/api/v1/admin/persons", headers=admin)).json()
    assert "Erika Musterfrau" not in {p["name"] for p in persons}
    async with meeting.app.state.db.tenant_session("soest") as session:
        again = await session.get(Meeting, finance.id)
        assert again is not None
        assert again.version == version_before  # no new public event
    runs = (await meeting.client.get(IMPORTS, headers=admin)).json()
    assert [r["id"] for r in runs][:2] == [run["id"], first.json()["id"]]


async def test_only_admins_import_and_reports_stay_in_their_town(
    meeting: Any, issuer: Any, oparl: OParlServer
) -> None:
    member = issuer.person("becker")
    refused = await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                        headers=member)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    admin = issuer.person("lange")
    assert (await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                      headers=admin)).status_code == 200
    other = {"Authorization": "Bearer " + issuer.token("x", ["admin"], tenant="werl")}
    assert (await meeting.client.get(IMPORTS, headers=other)).json() == []
    assert (await meeting.client.get("/api/v1/admin/papers", headers=other)).json() == []
    async with meeting.app.state.db.tenant_session("werl") as session:
        assert (await session.scalars(select(OParlImport))).first() is None


async def test_unreachable_source_fails_with_a_german_reason(meeting: Any, issuer: Any) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/oparl/"
    response = await meeting.client.post(IMPORTS, json={"system_url": url},
                                         headers=issuer.person("lange"))
    run = response.json()
    assert run["status"] == "failed"
    assert "Versuchen" in run["report"]["errors"][0]["reason"]


@pytest.mark.parametrize("url", ["http://[::1/oparl", "http://", "https://rat.example\x00/"])
async def test_a_malformed_host_is_refused_before_any_fetch(
    meeting: Any, issuer: Any, url: str
) -> None:
    admin = issuer.person("lange")
    response = await meeting.client.post(IMPORTS, json={"system_url": url}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "system_url"
    assert (await meeting.client.get(IMPORTS, headers=admin)).json() == []


async def test_body_without_member_count_keeps_votes_closed_until_its_size_is_entered(
    meeting: Any, issuer: Any, oparl: OParlServer
) -> None:
    admin, clerk = issuer.person("lange"), issuer.person("richter")
    run = (await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                     headers=admin)).json()
    org_id = oparl.lists["/organizations"][0]["id"]
    entry = next(e for e in run["report"]["repaired"] if e["defect"] == "member-count-missing")
    assert entry["id"] == org_id
    assert "unbekannt" in entry["note"]
    assert "unknown" in entry["note_en"]
    bodies = {b["oparl_id"]: b for b in (await meeting.client.get(
        "/api/v1/admin/bodies", headers=admin)).json()}
    assert bodies[org_id]["statutory_members"] == 0  # 0 = unknown, never a size
    # A second run still reports it: the admin has not entered the size yet.
    oparl.touch("/organizations", 0)
    again = (await meeting.client.post(IMPORTS, json={"system_url": f"{oparl.base}/"},
                                       headers=admin)).json()
    assert "member-count-missing" in _defects(again["report"])

    # The demo committee in the same state as an imported body without memberCount.
    async with meeting.app.state.db.transaction("soest") as session:
        demo_meeting = await session.get(Meeting, demo.MEETING_ID)
        assert demo_meeting is not None
        body = await session.get(Body, demo_meeting.body_id)
        assert body is not None
        body.statutory_members = 0
    await meeting.open_and_attend(clerk, present=6)
    base = f"/api/v1/meetings/{demo.MEETING_ID}"
    quorum = (await meeting.client.get(f"{base}/quorum", headers=clerk)).json()
    assert quorum["quorate"] is False
    assert quorum["explanation"].startswith("Gesetzliche Mitgliederzahl des Gremiums fehlt")
    polls = f"{base}/agenda-items/{demo.AGENDA[2].id}/polls"
    refused = await meeting.client.post(polls, json={"method": "open"}, headers=clerk)
    assert refused.status_code == 409
    assert "bitte in den Stammdaten eintragen" in refused.json()["detail"]
    english = await meeting.client.post(polls, json={"method": "open"},
                                        headers={**clerk, "Accept-Language": "en"})
    assert "statutory number of members" in english.json()["detail"]

    patched = await meeting.client.patch(f"/api/v1/admin/bodies/{body.id}", headers=admin,
                                         json={"statutory_members": 11})
    assert patched.status_code == 200, patched.text
    opened = await meeting.client.post(polls, json={"method": "open"}, headers=clerk)
    assert opened.status_code == 201, opened.text
