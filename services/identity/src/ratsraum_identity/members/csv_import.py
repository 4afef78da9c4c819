"""Bulk import of a town's members from CSV: every line is checked, and either all lines are
imported or none (the answer lists each faulty line).

Columns (header required, any order, `;` or `,` as separator, UTF-8 with or without BOM):
`email`, `name`, `roles`, optional `person_id`. `roles` holds entries separated by spaces or
`|`: `admin` or `clerk` for the whole town, `<body id>:<role>` for a body, e.g.
`rat:member hauptausschuss:chair`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from ratsraum_common.db import Database
from ratsraum_common.i18n import Msg
from ratsraum_identity.admin_errors import AdminError, Conflict, ImportRejected, LineError
from ratsraum_identity.members.rules import check_id, check_roles, normal_email
from ratsraum_identity.members.service import Invitation, invite_in

MAX_ROWS = 5000
_ALIASES = {"email": "email", "e-mail": "email", "mail": "email", "name": "name",
            "roles": "roles", "rollen": "roles", "person_id": "person_id",
            "person": "person_id"}
NO_HEADER = Msg("Die erste Zeile muss die Spalten nennen: email, name, roles (person_id "
                "optional); es fehlt: {missing}.",
                "The first line must name the columns: email, name, roles (person_id "
                "optional); missing: {missing}.")
TOO_MANY = Msg("Höchstens {max} Zeilen je Datei.", "At most {max} lines per file.")
EMPTY = Msg("Die Datei enthält keine Zeilen zum Import.", "The file has no lines to import.")
MISSING = Msg("Pflichtangabe fehlt.", "This field is required.")
TOO_LONG = Msg("Höchstens {max} Zeichen.", "At most {max} characters.")
DUPLICATE = Msg("Diese Adresse steht schon in Zeile {first}.",
                "This address is already on line {first}.")
BAD_ROLE_ENTRY = Msg("„{entry}“ ist keine Rolle (admin, clerk oder gremium:rolle).",
                     "'{entry}' is not a role (admin, clerk or body:role).")


@dataclass(frozen=True, slots=True)
class Row:
    """One checked line."""

    line: int
    email: str
    name: str
    town_roles: list[str]
    body_roles: list[tuple[str, str]]
    person_id: str | None


def _reader(text: str) -> csv.DictReader[str]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return csv.DictReader(io.StringIO(text), delimiter=delimiter)


def _roles(line: int, value: str) -> tuple[list[str], list[tuple[str, str]]]:
    town: list[str] = []
    body: list[tuple[str, str]] = []
    for entry in value.replace("|", " ").split():
        if ":" in entry:
            body_id, _, role = entry.rpartition(":")
            body.append((body_id, role))
        elif entry in ("admin", "clerk"):
            town.append(entry)
        else:
            raise ImportRejected([LineError(line, "roles", BAD_ROLE_ENTRY, entry=entry[:40])])
    try:
        return check_roles(town, body)
    except AdminError as exc:
        raise ImportRejected([LineError(line, "roles", exc.detail, **exc.values)]) from exc


def parse(text: str) -> list[Row]:
    """Check every line; ImportRejected lists all faulty lines."""
    reader = _reader(text)
    header = {(_ALIASES.get(h.strip().lower(), h.strip().lower())): h
              for h in (reader.fieldnames or [])}
    missing = [c for c in ("email", "name", "roles") if c not in header]
    if missing:
        raise ImportRejected([LineError(1, "header", NO_HEADER, missing=", ".join(missing))])
    rows: list[Row] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if line > MAX_ROWS + 1:
            raise ImportRejected([LineError(line, "file", TOO_MANY, max=MAX_ROWS)])
        values = {key: (record.get(source) or "").strip() for key, source in header.items()}
        if not any(values.values()):
            continue  # blank line
        before = len(errors)
        for field in ("email", "name", "roles"):
            if not values.get(field):
                errors.append(LineError(line, field, MISSING))
        if len(values.get("name", "")) > 200:
            errors.append(LineError(line, "name", TOO_LONG, max=200))
        email = ""
        if values.get("email"):
            try:
                email = normal_email(values["email"])
            except AdminError as exc:
                errors.append(LineError(line, "email", exc.detail, **exc.values))
        if email and email in seen:
            errors.append(LineError(line, "email", DUPLICATE, first=seen[email]))
        elif email:
            seen[email] = line
        person = values.get("person_id") or None
        if person:
            try:
                check_id(person)
            except AdminError as exc:
                errors.append(LineError(line, "person_id", exc.detail, **exc.values))
        town_roles: list[str] = []
        body_roles: list[tuple[str, str]] = []
        if values.get("roles"):
            try:
                town_roles, body_roles = _roles(line, values["roles"])
            except ImportRejected as exc:
                errors.extend(exc.errors)
        if len(errors) == before:
            rows.append(Row(line, email, values["name"], town_roles, body_roles, person))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([LineError(2, "file", EMPTY)])
    return rows


async def import_members(
    db: Database, *, tenant: str, text: str, lifetime: timedelta
) -> list[Invitation]:
    """Invite every person of the file in one transaction, or nobody (ImportRejected)."""
    rows = parse(text)
    invitations: list[Invitation] = []
    errors: list[LineError] = []
    async with db.transaction(tenant) as session:
        for row in rows:
            try:  # a Conflict is raised before anything of the line is written
                invitations.append(await invite_in(
                    session, tenant=tenant, email=row.email, name=row.name,
                    town_roles=row.town_roles, body_roles=row.body_roles,
                    person_id=row.person_id, lifetime=lifetime))
            except Conflict as exc:
                errors.append(LineError(row.line, "email", exc.detail, **exc.values))
        if errors:
            raise ImportRejected(errors)  # rolls the whole transaction back
    return invitations
