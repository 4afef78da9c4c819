"""RFC 9457 problem details for every HTTP error, localised to the caller's language."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ratsraum_common.i18n import Msg, negotiate_language
from ratsraum_common.logging import get_logger

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://ratsraum.de/problems/"

log = get_logger(__name__)

_TITLES: dict[int, Msg] = {
    400: Msg("Ungültige Anfrage", "Bad request"),
    401: Msg("Anmeldung erforderlich", "Authentication required"),
    403: Msg("Keine Berechtigung", "Forbidden"),
    404: Msg("Nicht gefunden", "Not found"),
    405: Msg("Methode nicht erlaubt", "Method not allowed"),
    409: Msg("Konflikt", "Conflict"),
    413: Msg("Anfrage zu groß", "Request too large"),
    415: Msg("Nicht unterstütztes Format", "Unsupported media type"),
    422: Msg("Eingaben unvollständig oder fehlerhaft", "Invalid input"),
    429: Msg("Zu viele Anfragen", "Too many requests"),
    500: Msg("Interner Fehler", "Internal error"),
    502: Msg("Dienst nicht erreichbar", "Upstream service unavailable"),
    503: Msg("Dienst vorübergehend nicht verfügbar", "Service unavailable"),
    504: Msg("Zeitüberschreitung beim Dienst", "Upstream service timed out"),
}

_GENERIC_DETAIL: dict[int, Msg] = {
    404: Msg("Diese Adresse gibt es nicht.", "There is nothing at this address."),
    405: Msg(
        "Diese Adresse unterstützt die Methode nicht.",
        "This address does not support the method.",
    ),
    500: Msg(
        "Ein unerwarteter Fehler ist aufgetreten; es wurde nichts geändert. "
        "Bitte erneut versuchen.",
        "An unexpected error occurred; nothing was changed. Please try again.",
    ),
}


class Problem(Exception):
    """Raise in a handler to answer with problem JSON.

    `code` becomes the problem type URI; `detail` is a Msg rendered in the caller's language.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: Msg,
        *,
        title: Msg | None = None,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> None:
        super().__init__(detail.en.format(**values) if values else detail.en)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.values = values
        self.headers = headers or {}


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    detail: str,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build a problem+json response."""
    lang = negotiate_language(request.headers.get("accept-language"))
    title_msg = _TITLES.get(status)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title
        or (title_msg.render(lang) if title_msg else HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Content-Language": lang, **(headers or {})},
    )


def _field_errors(exc: RequestValidationError, lang: str) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        location = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        errors.append({"field": ".".join(location), "message": err.get("msg", ""),
                       "code": err.get("type", "invalid")})
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, including unknown routes and crashes, with problem JSON."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        lang = negotiate_language(request.headers.get("accept-language"))
        return problem_response(
            request,
            status=exc.status,
            code=exc.code,
            detail=exc.detail.render(lang, **exc.values),
            title=exc.title.render(lang) if exc.title else None,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = negotiate_language(request.headers.get("accept-language"))
        detail = Msg(
            "Die Anfrage enthält ungültige oder fehlende Angaben; siehe 'errors'.",
            "The request has invalid or missing fields; see 'errors'.",
        ).render(lang)
        return problem_response(
            request, status=422, code="validation", detail=detail,
            extra={"errors": _field_errors(exc, lang)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = negotiate_language(request.headers.get("accept-language"))
        generic = _GENERIC_DETAIL.get(exc.status_code)
        if isinstance(exc.detail, str) and exc.detail and exc.detail != HTTPStatus(
            exc.status_code
        ).phrase:
            detail = exc.detail
        elif generic:
            detail = generic.render(lang)
        else:
            detail = HTTPStatus(exc.status_code).phrase
        return problem_response(
            request, status=exc.status_code, code=f"http-{exc.status_code}", detail=detail,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.crashed", path=request.url.path)
        lang = negotiate_language(request.headers.get("accept-language"))
        return problem_response(
            request, status=500, code="internal", detail=_GENERIC_DETAIL[500].render(lang)
        )
