"""The effective profile of a body: its state preset with the town's overrides, validated."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ratsraum_meeting.profiles.presets import PRESETS, RuleProfile, Threshold

# Code, name and the cited source belong to the preset; a town adjusts only the rules.
FIXED_FIELDS = frozenset({"code", "name", "quorum_source"})
OVERRIDABLE = tuple(
    f.name for f in dataclasses.fields(RuleProfile) if f.name not in FIXED_FIELDS
)
_ADAPTER = TypeAdapter(RuleProfile)
SET_FIELDS = tuple(f.name for f in dataclasses.fields(RuleProfile)
                   if str(f.type).startswith("frozenset"))


class InvalidProfile(ValueError):
    """The preset is unknown or an override is not a valid rule; `errors` says which."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def preset(code: str) -> RuleProfile:
    """The preset of a state, or InvalidProfile."""
    try:
        return PRESETS[code]
    except KeyError:
        known = ", ".join(PRESETS)
        raise InvalidProfile([f"Unbekanntes Regelprofil „{code}“; bekannt sind {known}."]) from None


def effective(code: str, overrides: dict[str, Any] | None) -> RuleProfile:
    """The preset `code` with the given fields replaced, checked as a whole."""
    base = preset(code)
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(OVERRIDABLE))
    if unknown:
        raise InvalidProfile([f"„{name}“ kann nicht angepasst werden." for name in unknown])
    merged = {**profile_json(base), **overrides}
    try:
        profile = _ADAPTER.validate_python(merged)
    except ValidationError as exc:
        raise InvalidProfile([
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]) from None
    errors = _range_errors(profile)
    if errors:
        raise InvalidProfile(errors)
    return profile


def _range_errors(profile: RuleProfile) -> list[str]:
    """Rules the types alone cannot express."""
    errors = []
    if profile.max_remote_members is not None and profile.max_remote_members < 0:
        errors.append("max_remote_members: darf nicht negativ sein.")
    for name in ("supervisory_notice_days", "hybrid_emergency_valid_months"):
        figure: int | None = getattr(profile, name)
        if figure is not None and not 0 <= figure <= 366:
            errors.append(f"{name}: zwischen 0 und 366.")
    if not 0 <= profile.disruption_report_minutes <= 24 * 60:
        errors.append("disruption_report_minutes: zwischen 0 und 1440 Minuten.")
    for name in ("roll_call_request", "secret_request"):
        threshold: Threshold | None = getattr(profile, name)
        if threshold is not None and not 0 < threshold.numerator <= threshold.denominator:
            errors.append(f"{name}: ein Anteil zwischen 0 und 1 (Zähler ≤ Nenner, > 0).")
    return errors


def profile_json(profile: RuleProfile) -> dict[str, Any]:
    """The profile as JSON-ready values (sets sorted, so the output is stable)."""
    data: dict[str, Any] = _ADAPTER.dump_python(profile, mode="json")
    for name in SET_FIELDS:
        data[name] = sorted(getattr(profile, name))
    return data
