"""A Jitsi Meet with token auth: opening a room link admits only a valid room JWT."""

from __future__ import annotations

from dataclasses import dataclass, field

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@dataclass
class FakeJitsi:
    """Rooms and who entered them, as prosody's token auth would let them in."""

    app_id: str
    app_secret: str
    rooms: dict[str, set[str]] = field(default_factory=dict)

    @property
    def app(self) -> Starlette:
        """The ASGI app."""
        return Starlette(routes=[Route("/{room}", self._enter)])

    async def _enter(self, request: Request) -> PlainTextResponse:
        room = request.path_params["room"]
        try:
            token = jwt.decode(request.query_params.get("jwt", ""),
                               OctKey.import_key(self.app_secret), algorithms=["HS256"])
            JWTClaimsRegistry(aud={"essential": True, "value": "jitsi"},
                              iss={"essential": True, "value": self.app_id},
                              room={"essential": True, "value": room}).validate(token.claims)
        except (JoseError, ValueError):
            return PlainTextResponse("token refused", status_code=401)
        user = token.claims["context"]["user"]
        self.rooms.setdefault(room, set()).add(str(user["id"]))
        return PlainTextResponse(f"welcome {user['name']}")
