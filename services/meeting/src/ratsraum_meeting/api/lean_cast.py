"""The lean path of `POST /api/v1/polls/{poll_id}/ballots`: a valid cast skips FastAPI's
per-request machinery (routing through every route, dependency solving, body and response
models), which cost meeting more CPU per ballot than everything else a cast does.

It answers only a cast that the documented route (api/polls.py) would take through to voting
as well: a bearer token that verifies with a seat (member or deputy) in the poll's body, a
valid Idempotency-Key and a JSON body that is a valid BallotIn. Anything else, and every
error, goes on to that route unchanged (with the body as read), so refusals, problems and
validation errors are the route's own. What it answers is what the route answers: the same
service call, the same problem JSON for voting's refusals, the same receipt; metrics,
tracing, request ids and the body limit apply as to every request, since it sits inside
those middlewares.
"""

from __future__ import annotations

import json
import re
from typing import Any

from opentelemetry import trace
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ratsraum_common.auth import Principal, TokenVerifier
from ratsraum_common.problems import Problem
from ratsraum_meeting.api.deps import body_cache, scoped_for
from ratsraum_meeting.polls import service
from ratsraum_meeting.polls.schemas import BallotIn

ROUTE = "/api/v1/polls/{poll_id}/ballots"
_PATH = re.compile(r"^/api/v1/polls/([^/]+)/ballots$")
# The same rule as the route's check of the header (api/polls.py).
_KEY = re.compile(r"^[\x21-\x7e]{8,128}$")


class _RouteTemplate:
    """What request metrics read from scope["route"]: the template, never the raw path."""

    path = ROUTE


class LeanCast:
    """ASGI middleware: serves valid casts itself, passes everything else on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.route = _RouteTemplate()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST"
                or (match := _PATH.match(scope["path"])) is None):
            await self.app(scope, receive, send)
            return
        body, replay = await _read_body(receive)
        cast = None if replay is not None else await _valid_cast(scope, body)
        if cast is None:
            await self.app(scope, replay or _replay(body, receive), send)
            return
        principal, key, ballot = cast
        scope["route"] = self.route
        span = trace.get_current_span()
        span.update_name(f"POST {ROUTE}")
        span.set_attribute("http.route", ROUTE)
        state = scope["app"].state
        try:
            outcome = await service.cast_ballot(
                voting=state.voting, progress=state.progress, tenant=principal.tenant,
                poll_id=match.group(1), voter_id=principal.subject, choice=ballot.choice,
                idempotency_key=key)
        except Problem as exc:
            handler = scope["app"].exception_handlers[Problem]
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)
            return
        content = json.dumps({"ballot_id": outcome.ballot_id, "replayed": outcome.replayed,
                              "ballots_cast": outcome.ballots_cast},
                             ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        payload = content.encode("utf-8")
        await send({"type": "http.response.start", "status": 200 if outcome.replayed else 201,
                    "headers": [(b"content-length", str(len(payload)).encode("latin-1")),
                                (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Receive) -> tuple[bytes, Receive | None]:
    """The whole body; with a receive for the route if reading ended otherwise.

    A disconnect or an error while reading (e.g. the body limit) is handed on to the route
    as it happened, after the part of the body that arrived, so the route answers it.
    """
    chunks: list[bytes] = []
    try:
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"", _replay_parts([*chunks], receive, last=message)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks), None
    except Exception as exc:
        return b"", _replay_parts([*chunks], receive, error=exc)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The request's receive with the body already read handed out first."""
    return _replay_parts([body], receive, complete=True)


def _replay_parts(chunks: list[bytes], receive: Receive, *, complete: bool = False,
                  last: Message | None = None, error: Exception | None = None) -> Receive:
    pending: list[Message] = [
        {"type": "http.request", "body": chunk,
         "more_body": not (complete and n == len(chunks) - 1)}
        for n, chunk in enumerate(chunks)]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if error is not None:
            raise error
        if last is not None:
            return last
        return await receive()

    return replay


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _valid_cast(scope: Scope, body: bytes) -> tuple[Principal, str, BallotIn] | None:
    """Who casts what under which key, if the route would accept it as it stands."""
    content_type = _header(scope, b"content-type")
    if content_type is None or content_type.split(";")[0].strip().lower() != "application/json":
        return None
    key = _header(scope, b"idempotency-key")
    if key is None or not _KEY.match(key):
        return None
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    verifier: TokenVerifier = scope["app"].state.token_verifier
    try:
        principal = await verifier.verify(token.strip())
        parsed: Any = json.loads(body)
        ballot = BallotIn.model_validate(parsed)
        # Roles count in the poll's body only (the same narrowing as the route's).
        state = scope["app"].state
        principal, _body = await scoped_for(state.db, body_cache(state), principal,
                                            {"poll_id": str(scope["path"]).split("/")[4]})
    except Exception:  # invalid token, body or poll, or a key fetch failing: the route answers
        return None
    if not principal.has_any("member", "deputy"):
        return None
    return principal, key, ballot
