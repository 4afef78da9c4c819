"""Checks Webex requests and responses against Webex's own OpenAPI description."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]

SPEC_NAME = "webex-meeting.json"


def default_spec_path() -> Path:
    """The vendor description in shared/vendor-specs: RATSRAUM_SHARED_DIR, or beside the checkout.

    MEETING_VIDEO_WEBEX_OPENAPI (the setting) overrides both.
    """
    shared = os.environ.get("RATSRAUM_SHARED_DIR")
    base = Path(shared) if shared else Path(__file__).resolve().parents[5].parent / "shared"
    return base / "vendor-specs" / SPEC_NAME


class SpecViolation(ValueError):
    """A body that does not match the operation's schema in the Webex description."""


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class WebexSpec:
    """Validators for the request and response bodies of Webex operations."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        # Validation resolves "#/components/..." against this root.
        self._root = {"components": document["components"], "paths": document["paths"]}

    def _validator(self, pointer: str) -> Draft7Validator:
        return Draft7Validator({**self._root, "$ref": pointer})

    def _content_pointer(self, base: str, content: dict[str, Any]) -> str:
        media = next((m for m in content if m.startswith("application/json")), None)
        if media is None or "schema" not in content[media]:
            raise SpecViolation(f"no JSON schema at {base}")
        return f"{base}/content/{_escape(media)}/schema"

    def check_request(self, method: str, path: str, body: Any) -> None:
        """Raise SpecViolation unless body fits the operation's request schema."""
        op = self.document["paths"][path][method.lower()]
        base = f"#/paths/{_escape(path)}/{method.lower()}/requestBody"
        self._check(self._content_pointer(base, op["requestBody"]["content"]), body)

    def check_response(self, method: str, path: str, status: int, body: Any) -> None:
        """Raise SpecViolation unless body fits the operation's response schema."""
        op = self.document["paths"][path][method.lower()]
        response = op["responses"].get(str(status))
        if response is None:
            raise SpecViolation(f"{method} {path} documents no status {status}")
        content = response.get("content") or {}
        if not content:
            if body not in (None, b"", ""):
                raise SpecViolation(f"{method} {path} {status} has no documented body")
            return
        base = f"#/paths/{_escape(path)}/{method.lower()}/responses/{status}"
        self._check(self._content_pointer(base, content), body)

    def check_schema(self, name: str, body: Any) -> None:
        """Raise SpecViolation unless body fits a named component schema."""
        self._check(f"#/components/schemas/{name}", body)

    def _check(self, pointer: str, body: Any) -> None:
        errors = sorted(self._validator(pointer).iter_errors(body), key=lambda e: e.path)
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(body)"
            raise SpecViolation(f"{pointer}: {where}: {first.message}")


def load_spec(path: Path | None = None) -> WebexSpec:
    """The parsed description (read once per process and path)."""
    return _load(path or default_spec_path())


@cache
def _load(path: Path) -> WebexSpec:
    return WebexSpec(json.loads(path.read_text(encoding="utf-8")))
