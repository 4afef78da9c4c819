"""Errors of the operator and town-admin domains; the API turns them into problem JSON."""

from __future__ import annotations

from typing import Any

from ratsraum_common.i18n import Msg


class AdminError(Exception):
    """Base: a refused admin action with a German/English explanation."""

    status = 400
    code = "invalid"

    def __init__(self, detail: Msg, **values: Any) -> None:
        super().__init__(detail.en.format(**values) if values else detail.en)
        self.detail = detail
        self.values = values


class NotFound(AdminError):
    """No such town or account (in the caller's town)."""

    status = 404
    code = "not-found"


class Conflict(AdminError):
    """The action clashes with the current state (exists already, last admin, not suspended)."""

    status = 409
    code = "conflict"


class Invalid(AdminError):
    """Input that breaks a rule pydantic cannot check (AGS of another state, bad role)."""

    status = 422
    code = "invalid-input"


class ImportRejected(AdminError):
    """A CSV import with faulty lines; nothing was imported."""

    status = 422
    code = "import-rejected"

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(Msg("Die Datei enthält fehlerhafte Zeilen; nichts wurde importiert.",
                             "The file has faulty lines; nothing was imported."))
        self.errors = errors


class LineError:
    """What is wrong with one line of an import file."""

    __slots__ = ("field", "line", "message")

    def __init__(self, line: int, field: str, message: Msg, **values: Any) -> None:
        self.line, self.field = line, field
        self.message = Msg(message.de.format(**values), message.en.format(**values))
