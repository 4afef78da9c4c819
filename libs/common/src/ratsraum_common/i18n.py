"""German-first user-facing text with English as second language."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "de"
SUPPORTED = ("de", "en")


@dataclass(frozen=True, slots=True)
class Msg:
    """A user-facing message in German and English; `{name}` placeholders are filled in."""

    de: str
    en: str

    def render(self, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
        """The text in the given language with placeholders filled."""
        template = self.en if lang == "en" else self.de
        return template.format(**values) if values else template


def negotiate_language(accept_language: str | None) -> str:
    """Pick "de" or "en" from an Accept-Language header; German unless English ranks higher."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, index, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE
