"""Text catalogues, one per language (locales/<lang>.toml); German first, English second."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("de", "en")


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@lru_cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, by dotted key."""
    with (LOCALES_DIR / f"{lang}.toml").open("rb") as handle:
        texts: dict[str, str] = {}
        _flatten("", tomllib.load(handle), texts)
        return texts


def text(lang: str, key: str, **values: object) -> str:
    """One text; a key missing in English falls back to German, then to the key itself."""
    template = catalogue(lang).get(key) or catalogue("de").get(key) or key
    return template.format(**values) if values else template


# What the live script needs to word updates like the server does.
LIVE_GROUPS = ("status.", "item_status.", "outcome.", "method.", "option.", "presence.",
               "vote.", "live.", "meeting.", "attendance.", "stream.")


def live_texts(lang: str) -> dict[str, str]:
    """The texts the live script uses, in one language (embedded in the page as JSON)."""
    return {k: v for k, v in catalogue(lang).items() if k.startswith(LIVE_GROUPS)}
