"""Authlib's authorization server on Starlette: request and response translation.

Authlib ships integrations for Flask and Django only. This one reads the HTTP request
asynchronously into a snapshot, runs Authlib's (synchronous) grant code in a worker thread,
and lets storage hooks hop back onto the event loop for database work.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio.from_thread
import anyio.to_thread
from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Payload, OAuth2Request
from starlette.requests import Request
from starlette.responses import Response

from ratsraum_common.db import Database
from ratsraum_identity.accounts.service import SignedInUser
from ratsraum_identity.config import Settings
from ratsraum_identity.keys.keystore import KeyStore
from ratsraum_identity.oauth import store
from ratsraum_identity.oauth.client import (
    ACCOUNT_CALLBACK,
    ACCOUNT_CLIENT_ID,
    WEB_SCOPES,
    PublicClient,
)
from ratsraum_identity.oauth.grants import CodeGrant, RefreshGrant, S256CodeChallenge
from ratsraum_identity.oauth.tokens import AccessTokenGenerator, IdentityOpenIDCode

T = TypeVar("T")


@dataclass(frozen=True)
class HttpSnapshot:
    """What Authlib needs of one HTTP request, read before leaving the event loop."""

    method: str
    uri: str
    headers: dict[str, str]
    args: list[tuple[str, str]]
    form: list[tuple[str, str]]


class SnapshotPayload(OAuth2Payload):  # type: ignore[misc]
    """Request parameters: the query for GET, the form body for POST (as Flask's `values`)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        """First value of each parameter."""
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        """All values of each parameter (to detect repeated parameters)."""
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    """Authlib's request object built from a snapshot."""

    def __init__(self, snapshot: HttpSnapshot) -> None:
        super().__init__(method=snapshot.method, uri=snapshot.uri, headers=snapshot.headers)
        self._args = dict(snapshot.args)
        self._form = dict(snapshot.form)
        self.payload = SnapshotPayload(snapshot.form if snapshot.method == "POST"
                                       else snapshot.args)

    @property
    def args(self) -> dict[str, str]:
        """Query parameters."""
        return self._args

    @property
    def form(self) -> dict[str, str]:
        """Form body parameters."""
        return self._form


async def snapshot(
    request: Request, *, public_base: str, form: list[tuple[str, str]] | None = None
) -> HttpSnapshot:
    """Read the request; the URI is rebuilt on the issuer, as the client addressed us."""
    if form is None and request.method == "POST":
        try:
            body = await request.form()
        except Exception:  # a malformed body is an invalid request, Authlib will say so
            form = []
        else:
            form = [(k, v) for k, v in body.multi_items() if isinstance(v, str)]
    query = request.url.query
    uri = f"{public_base}{request.url.path}" + (f"?{query}" if query else "")
    return HttpSnapshot(
        method=request.method, uri=uri, headers=dict(request.headers),
        args=list(request.query_params.multi_items()), form=form or [],
    )


class IdentityAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """The OAuth 2.0 / OpenID Connect authorization server of identity."""

    def __init__(self, *, settings: Settings, db: Database, keystore: KeyStore) -> None:
        super().__init__(scopes_supported=list(WEB_SCOPES))
        self.settings = settings
        self.db = db
        self.keystore = keystore
        self.clients = {
            settings.web_client_id: PublicClient(
                client_id=settings.web_client_id,
                redirect_uris=tuple(settings.web_redirect_uris),
                post_logout_redirect_uris=tuple(settings.web_post_logout_redirect_uris),
            ),
            ACCOUNT_CLIENT_ID: PublicClient(
                client_id=ACCOUNT_CLIENT_ID,
                redirect_uris=(f"{settings.issuer}{ACCOUNT_CALLBACK}",),
                scopes=("openid",), refreshes=False,
            ),
        }
        self.register_token_generator(
            "default", AccessTokenGenerator(settings=settings, keystore=keystore)
        )
        self.register_grant(CodeGrant, [
            S256CodeChallenge(required=True),
            IdentityOpenIDCode(settings=settings, keystore=keystore),
        ])
        self.register_grant(RefreshGrant)

    def call(self, func: Callable[..., Coroutine[Any, Any, T]], **kwargs: Any) -> T:
        """Run a coroutine function on the event loop from Authlib's worker thread."""
        return anyio.from_thread.run(partial(func, **kwargs))

    def query_client(self, client_id: str) -> PublicClient | None:
        """The registered client with this id."""
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Store the refresh token, if one was issued (access tokens are self-contained)."""
        refresh = token.get("refresh_token")
        if not refresh:
            return
        user: SignedInUser = request.user
        origin = request.authorization_code or request.refresh_token
        self.call(
            store.save_refresh_token, db=self.db, token=refresh,
            client_id=request.client.get_client_id(), user=user, scope=token.get("scope", ""),
            code_hash=getattr(origin, "code_hash", None),
            lifetime_seconds=self.settings.refresh_token_lifetime_seconds,
            session_max_seconds=self.settings.session_max_seconds,
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        """Translate our snapshot into Authlib's request."""
        if isinstance(request, OAuth2Request):
            return request
        return StarletteOAuth2Request(request)

    def create_json_request(self, request: Any) -> Any:
        """No JSON endpoints (dynamic registration) are offered."""
        raise NotImplementedError

    def handle_response(
        self, status_code: int, payload: Any, headers: list[tuple[str, str]]
    ) -> Response:
        """Translate Authlib's (status, body, headers) into a Starlette response."""
        body = json.dumps(payload) if isinstance(payload, dict) else (payload or "")
        response = Response(body, status_code=status_code)
        for name, value in headers:
            response.headers[name] = value
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signal system; nothing listens."""

    async def token_response(self, request: Request) -> Response:
        """Answer a token request (runs Authlib's grant in a worker thread)."""
        snap = await snapshot(request, public_base=self.settings.issuer)
        response: Response = await anyio.to_thread.run_sync(self.create_token_response, snap)
        return response

    async def exchange_code(self, *, client_id: str, code: str, redirect_uri: str,
                            verifier: str) -> dict[str, Any] | None:
        """Redeem a code of one of identity's own clients in-process; the token response,
        or None when Authlib refuses it."""
        form = [("grant_type", "authorization_code"), ("code", code), ("client_id", client_id),
                ("redirect_uri", redirect_uri), ("code_verifier", verifier)]
        snap = HttpSnapshot(method="POST", uri=f"{self.settings.issuer}/token",
                            headers={"content-type": "application/x-www-form-urlencoded"},
                            args=[], form=form)
        response: Response = await anyio.to_thread.run_sync(self.create_token_response, snap)
        if response.status_code != 200:
            return None
        body: dict[str, Any] = json.loads(bytes(response.body))
        return body

    async def authorization_response(
        self, oauth_request: OAuth2Request, grant: Any, user: SignedInUser
    ) -> Response:
        """Issue the code and redirect back to the client."""
        response: Response = await anyio.to_thread.run_sync(
            partial(self.create_authorization_response, request=oauth_request,
                    grant_user=user, grant=grant)
        )
        return response
