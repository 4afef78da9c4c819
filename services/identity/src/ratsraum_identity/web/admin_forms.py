"""Reading the admin pages' forms into the API's input models, and their errors as text."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from ratsraum_identity.accounts.service import BODY_ROLES
from ratsraum_identity.admin_errors import AdminError, ImportRejected
from ratsraum_identity.web.admin_render import catalogue, text

ROLE_ROWS = 40  # body-role rows a form may carry (the ones shown plus three empty)
EMPTY_ROWS = 3


def field(form: FormData, name: str, limit: int = 400) -> str:
    """A text field, trimmed and cut to a sane length ("" when absent or a file)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def roles_of(form: FormData) -> dict[str, Any]:
    """Town-wide and per-body roles as the API's RolesIn takes them."""
    town = [r for r in ("admin", "clerk") if field(form, f"town_{r}") == "1"]
    body_roles = []
    for index in range(ROLE_ROWS):
        body, role = field(form, f"body_{index}", 64), field(form, f"role_{index}", 20)
        if body:
            body_roles.append({"body": body, "role": role})
    return {"town_roles": town, "body_roles": body_roles}


def role_rows(body_roles: list[dict[str, str]] | list[tuple[str, str]]) -> list[dict[str, str]]:
    """The rows a roles form shows: the given ones and a few empty ones."""
    rows = [r if isinstance(r, dict) else {"body": r[0], "role": r[1]} for r in body_roles]
    return rows + [{"body": "", "role": "member"}] * EMPTY_ROWS


def error_texts(exc: Exception, lang: str) -> list[str]:
    """What went wrong, in the person's language: a domain refusal or the invalid fields."""
    if isinstance(exc, ImportRejected):
        return [exc.detail.render(lang)]
    if isinstance(exc, AdminError):
        return [exc.detail.render(lang, **exc.values)]
    if isinstance(exc, ValidationError):
        fields = []
        for error in exc.errors():
            name = next((str(p) for p in error["loc"] if isinstance(p, str)), "form")
            if name not in fields:
                fields.append(name)
        keys = [f"error.field.{name}" for name in fields]
        return [text(lang, k if k in catalogue("de") else "error.field.form") for k in keys]
    raise exc


BODY_ROLE_CHOICES = BODY_ROLES
