"""Bulk import of members from CSV: every faulty line named, nothing half-imported."""

from __future__ import annotations

from typing import Any

import httpx
from admin_testkit import give_app, is_problem, town_headers
from fastapi import FastAPI

from ratsraum_identity.api.deps import Identity


async def _headers(ident: Identity, client: httpx.AsyncClient, person: Any,
                   tenant: str) -> dict[str, str]:
    admin = await person({tenant: ["admin"]})
    app = await give_app(ident, admin.subject)
    return {**await town_headers(client, tenant=tenant, username=admin.username,
                                 password=admin.password, app=app),
            "Content-Type": "text/csv"}


async def _emails(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    listed = (await client.get("/api/v1/town/accounts", headers=headers)).json()
    return {a["email"] for a in listed if a["email"]}


async def test_faulty_lines_are_all_named_and_nothing_is_imported(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any, smtp: tuple[Any, int],
) -> None:
    ident: Identity = mail_app.state.identity
    inbox, _ = smtp
    headers = await _headers(ident, mail_client, person, "soest")
    json_headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    known = await mail_client.post("/api/v1/town/accounts", headers=json_headers, json={
        "email": "schon@soest.example", "name": "Schon Da",
        "body_roles": [{"body": "rat", "role": "member"}]})
    assert known.status_code == 201, known.text
    before = await _emails(mail_client, headers)
    mails_before = len(inbox.received)
    text = ("E-Mail;Name;Rollen;Person\n"
            "gut@soest.example;Gut;rat:member;p-1\n"
            "kein-at;Bert;rat:member;\n"
            "gut@soest.example;Doppelt;rat:member;\n"
            "dora@soest.example;Dora;rat:king;\n"
            "emil@soest.example;;rat:member;\n"
            "\n"
            "schon@soest.example;Schon;rat:member;\n"
            "fritz@soest.example;Fritz;rat:member;bad id\n")
    answer = await mail_client.post("/api/v1/town/accounts/import", headers=headers,
                                    content=text.encode())
    body = is_problem(answer, 422)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [
        (3, "email"), (4, "email"), (5, "roles"), (6, "name"), (9, "person_id")]
    assert "Zeile 2" in body["errors"][1]["message"]
    # The line of an address the town has already is found when writing; still nothing lands.
    clean = text.replace("kein-at", "bert@soest.example").replace(
        "gut@soest.example;Doppelt", "gustav@soest.example;Gustav").replace(
        "rat:king", "rat:deputy").replace(";;rat", ";Emil;rat").replace("bad id", "p-9")
    answer = await mail_client.post("/api/v1/town/accounts/import", headers=headers,
                                    content=clean.encode())
    body = is_problem(answer, 422)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(8, "email")]
    assert await _emails(mail_client, headers) == before
    assert len(inbox.received) == mails_before
    # Without the known address, all lines are imported and each person gets a mail.
    good = "\n".join(line for line in clean.splitlines() if "schon@" not in line)
    answer = await mail_client.post("/api/v1/town/accounts/import", headers=headers,
                                    content=good.encode("utf-8-sig"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["imported"] == 6
    assert {a["mail"] for a in answer.json()["accounts"]} == {"sent"}
    assert len(inbox.received) == mails_before + 6
    gut = next(a for a in answer.json()["accounts"] if a["email"] == "gut@soest.example")
    assert (gut["person_id"], gut["body_roles"]) == ("p-1", [{"body": "rat", "role": "member"}])


async def test_unusable_files_are_problem_json(
    mail_app: FastAPI, mail_client: httpx.AsyncClient, person: Any,
) -> None:
    ident: Identity = mail_app.state.identity
    headers = await _headers(ident, mail_client, person, "soest")
    for content, field in ((b"name,roles\nA,rat:member\n", "header"),
                           (b"email,name,roles\n", "file")):
        body = is_problem(await mail_client.post("/api/v1/town/accounts/import",
                                                 headers=headers, content=content), 422)
        assert body["errors"][0]["field"] == field
    latin1 = "email;name;roles\nj@soest.example;Jörg;rat:member\n".encode("latin-1")
    body = is_problem(await mail_client.post("/api/v1/town/accounts/import",
                                             headers=headers, content=latin1), 422)
    assert "UTF-8" in body["detail"]
