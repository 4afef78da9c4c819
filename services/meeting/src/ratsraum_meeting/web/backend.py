"""The pages' way to meeting's API: in-process HTTP with the signed-in person's token.

Going through the API (not around it) keeps one set of rules: every role check, problem and
live push the API makes also holds for a page, and a page can do nothing the API cannot.
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.requests import Request

from ratsraum_meeting.signin.sessions import SignedIn

_INTERNAL_BASE = "http://meeting.internal"


class ApiProblem(Exception):
    """The API refused: its status and the problem's detail (in the person's language)."""

    def __init__(self, status: int, detail: str, problem_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = problem_type


class Backend:
    """meeting's API as the signed-in person calls it."""

    def __init__(self, request: Request, signed: SignedIn, lang: str) -> None:
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=request.app), base_url=_INTERNAL_BASE,
            headers={"Authorization": f"Bearer {signed.access_token}",
                     "Accept-Language": lang, "Accept": "application/json"},
            timeout=15.0,
        )

    async def __aenter__(self) -> Backend:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self._client.request(method, f"/api/v1{path}", **kwargs)
        if answer.status_code >= 400:
            try:
                body = answer.json()
            except ValueError:
                body = {}
            raise ApiProblem(answer.status_code, str(body.get("detail") or body.get("title")
                                                     or answer.reason_phrase),
                             str(body.get("type", "")))
        if answer.status_code == 204 or not answer.content:
            return None
        return answer.json()

    async def text(self, path: str) -> str:
        """GET a text answer (an HTML document the API renders)."""
        answer = await self._client.get(f"/api/v1{path}", headers={"Accept": "text/html"})
        if answer.status_code >= 400:
            raise ApiProblem(answer.status_code, answer.reason_phrase)
        return answer.text

    async def get(self, path: str, **params: Any) -> Any:
        """GET, JSON answer."""
        return await self._call("GET", path, params=params or None)

    async def post(self, path: str, body: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Any:
        """POST JSON, JSON answer."""
        return await self._call("POST", path, json=body if body is not None else {},
                                headers=headers)

    async def put(self, path: str, body: Any) -> Any:
        """PUT JSON (an object or a list), JSON answer."""
        return await self._call("PUT", path, json=body)

    async def delete(self, path: str) -> Any:
        """DELETE."""
        return await self._call("DELETE", path)
