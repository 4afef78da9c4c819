"""OParl list mechanics: the change filters, pages linked by `links.next`, Error objects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratsraum_common.i18n import Msg, negotiate_language
from ratsraum_common.problems import PROBLEM_MEDIA_TYPE, Problem
from ratsraum_portal.meetings.windows import ChangeWindow

OPARL_ERROR = "https://schema.oparl.org/1.1/Error"
PAGE_SIZE = 100
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
ERROR_TITLES = {
    400: Msg("Ungültige Anfrage", "Bad request"),
    404: Msg("Nicht gefunden", "Not found"),
    405: Msg("Methode nicht erlaubt", "Method not allowed"),
}
NO_SUCH_ADDRESS = Msg("Diese OParl-Adresse gibt es nicht.", "There is no OParl object here.")
BAD_FILTER = Msg(
    "Der Filter {name} braucht einen Zeitpunkt nach ISO 8601, z. B. 2025-11-25T17:00:00+01:00.",
    "The filter {name} needs an ISO 8601 date-time, e.g. 2025-11-25T17:00:00+01:00.",
)
BAD_PAGE = Msg(
    "page und limit müssen ganze Zahlen ab 1 sein (limit höchstens {most}).",
    "page and limit must be whole numbers from 1 (limit at most {most}).",
)


class BadListQuery(Problem):
    """A list request with a filter or page the portal cannot read."""

    def __init__(self, detail: Msg, **values: Any) -> None:
        super().__init__(400, "bad-oparl-query", detail, **values)


def _instant(name: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadListQuery(BAD_FILTER, name=name) from None
    # Stored stamps are UTC; a value without zone is read as UTC too.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _positive(raw: str | None, default: int, most: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        raise BadListQuery(BAD_PAGE, most=PAGE_SIZE) from None
    if not 1 <= value <= most:
        raise BadListQuery(BAD_PAGE, most=PAGE_SIZE)
    return value


class ListQuery:
    """The filters and page of one list request."""

    def __init__(self, request: Request) -> None:
        params = request.query_params
        values = {name: _instant(name, params[name]) for name in FILTERS if name in params}
        self.window = ChangeWindow(**values)
        self.page = _positive(params.get("page"), 1, 10**9)
        self.limit = _positive(params.get("limit"), PAGE_SIZE, PAGE_SIZE)
        self._kept = {name: params[name] for name in FILTERS if name in params}
        if "limit" in params:
            self._kept["limit"] = str(self.limit)

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.limit

    def link(self, list_url: str, page: int) -> str:
        """The address of another page of the same filtered list."""
        return f"{list_url}?{urlencode({**self._kept, 'page': page})}"


def list_page(
    query: ListQuery, list_url: str, rows: list[Any], render: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """An OParl list page; `rows` holds up to limit + 1 rows, the extra one means 'more'."""
    more = len(rows) > query.limit
    links = {"first": query.link(list_url, 1), "self": query.link(list_url, query.page)}
    if more:
        links["next"] = query.link(list_url, query.page + 1)
    if query.page > 1:
        links["prev"] = query.link(list_url, query.page - 1)
    return {
        "data": [render(row) for row in rows[: query.limit]],
        "pagination": {"elementsPerPage": query.limit, "currentPage": query.page},
        "links": links,
    }


def oparl_error(
    request: Request, *, status: int, detail: Msg, values: dict[str, Any] | None = None
) -> JSONResponse:
    """An OParl Error object that is RFC 9457 problem JSON too (its type is a URI)."""
    lang = negotiate_language(request.headers.get("accept-language"))
    text = detail.render(lang, **(values or {}))
    title = ERROR_TITLES.get(status, ERROR_TITLES[400]).render(lang)
    body: dict[str, Any] = {
        "type": OPARL_ERROR, "title": title, "status": status, "detail": text,
        "message": text, "instance": request.url.path,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                        headers={"Content-Language": lang})


class OpenDataCors:
    """`Access-Control-Allow-Origin: *` on every OParl and calendar answer, errors included."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"access-control-allow-origin"]
                headers.append((b"access-control-allow-origin", b"*"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_header)
