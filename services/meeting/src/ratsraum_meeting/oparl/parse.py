"""Tolerant reading of OParl values: each repair of a known server defect goes to the report."""

from __future__ import annotations

import mimetypes
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ratsraum_meeting.oparl.report import ImportReport

TYPE_PREFIX = "https://schema.oparl.org/1."
# Council information systems are German: times without an offset are local time.
LOCAL = ZoneInfo("Europe/Berlin")
# Germany lies within these bounds; a point whose first coordinate is a German latitude and
# whose second a German longitude was written lat/lon instead of GeoJSON's lon/lat.
_LAT = (47.0, 55.5)
_LON = (5.5, 15.5)


def type_name(obj: dict[str, Any]) -> str | None:
    """The OParl type of an object ("Person"), or None when absent or foreign."""
    value = obj.get("type")
    if isinstance(value, str) and value.startswith(TYPE_PREFIX):
        return value.rsplit("/", 1)[-1]
    return None


def text(obj: dict[str, Any], key: str, limit: int) -> str:
    """A string attribute, empty when missing, cut to the column's length."""
    value = obj.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def as_list(
    obj: dict[str, Any], key: str, *, kind: str, report: ImportReport
) -> list[Any]:
    """An array attribute; a single object where an array belongs is wrapped (and reported)."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    report.repair(kind, str(obj.get("id", "")), f"{key}-not-array",
                  f"„{key}“ als einzelnes Objekt statt als Liste geliefert; als Liste gelesen.")
    return [value]


def parse_date(
    obj: dict[str, Any], key: str, *, kind: str, report: ImportReport
) -> date | None:
    """A date attribute; a date-time in its place gives its (local) date."""
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    moment = parse_datetime(value)
    if moment is None:
        report.repair(kind, str(obj.get("id", "")), f"{key}-invalid",
                      f"„{key}“ ist kein Datum ({value!r}); leer gelassen.")
        return None
    report.repair(kind, str(obj.get("id", "")), f"{key}-datetime",
                  f"„{key}“ als Zeitpunkt statt als Datum geliefert; das Datum wird verwendet.")
    return moment.astimezone(LOCAL).date()


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time in UTC (read as local time when it has no offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Stored in UTC: SQLite would otherwise keep the wall time and drop the offset.
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)).astimezone(UTC)


def mime_type(obj: dict[str, Any], *, report: ImportReport) -> str:
    """The media type; a bare extension ("pdf") becomes a real one ("application/pdf")."""
    value = text(obj, "mimeType", 120).lower()
    if not value or "/" in value:
        return value
    guessed, _ = mimetypes.guess_type(f"file.{value}")
    if guessed is None:
        guessed, _ = mimetypes.guess_type(text(obj, "fileName", 300))
    report.repair("File", str(obj.get("id", "")), "mimetype-bare",
                  f"mimeType „{value}“ ist kein Medientyp; "
                  f"{'als ' + guessed + ' gelesen' if guessed else 'leer gelassen'}.")
    return guessed or ""


def point(geojson: Any, *, kind: str, oparl_id: str, report: ImportReport
          ) -> tuple[float, float] | None:
    """(lon, lat) of a GeoJSON point or point feature; lat/lon order is detected and swapped."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") != "Point":
        return None
    coords = geojson.get("coordinates")
    if not (isinstance(coords, list) and len(coords) >= 2
            and all(isinstance(c, int | float) for c in coords[:2])):
        return None
    first, second = float(coords[0]), float(coords[1])
    if _LAT[0] <= first <= _LAT[1] and _LON[0] <= second <= _LON[1]:
        report.repair(kind, oparl_id, "geojson-latlon",
                      "GeoJSON-Koordinaten in der Reihenfolge Breite/Länge statt Länge/Breite; "
                      "getauscht.")
        return second, first
    return first, second


def membership_role(role: str) -> str:
    """Ratsraum's role (member, deputy, chair) for an OParl membership's free-text role."""
    lowered = role.lower()
    if "stellv" in lowered or "vertret" in lowered:
        return "deputy"
    if "vorsitz" in lowered:
        return "chair"
    return "member"
