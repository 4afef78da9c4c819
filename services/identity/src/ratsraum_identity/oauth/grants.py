"""Authlib grants wired to our storage.

Authlib's grant code is synchronous, so the server runs it in a worker thread; these hooks
reach the async database by hopping back onto the event loop (`server.call`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge

from ratsraum_identity.accounts.service import SignedInUser
from ratsraum_identity.oauth import store
from ratsraum_identity.oauth.session import load_signed_in_user

if TYPE_CHECKING:
    from ratsraum_identity.oauth.server import IdentityAuthorizationServer


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE is mandatory and only with S256 (RFC 9700 section 2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - Authlib's class attribute

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        """Refuse authorization requests without an S256 code challenge."""
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'", redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "'code_challenge_method' must be 'S256'", redirect_uri=redirect_uri
            )
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """Authorization code grant for public clients."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's class attribute
    server: IdentityAuthorizationServer

    def generate_authorization_code(self) -> str:
        """A random code carrying the town prefix."""
        user: SignedInUser = self.request.user
        return f"{user.tenant}.{super().generate_authorization_code()}"

    def save_authorization_code(self, code: str, request: Any) -> None:
        """Store the code with everything the token request will check."""
        data = request.payload.data
        self.server.call(
            store.save_code, db=self.server.db, code=code,
            client_id=request.client.get_client_id(), redirect_uri=request.payload.redirect_uri,
            scope=request.scope or "", user=request.user, nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            lifetime_seconds=self.server.settings.authorization_code_lifetime_seconds,
        )

    def query_authorization_code(self, code: str, client: Any) -> store.StoredCode | None:
        """Claim the code (once only)."""
        result: store.StoredCode | None = self.server.call(
            store.redeem_code, db=self.server.db, code=code, client_id=client.get_client_id()
        )
        return result

    def delete_authorization_code(self, authorization_code: store.StoredCode) -> None:
        """Nothing to do: the code was marked used when it was claimed."""

    def authenticate_user(self, authorization_code: store.StoredCode) -> SignedInUser | None:
        """The person with their current roles in the code's town."""
        user: SignedInUser | None = self.server.call(
            load_signed_in_user, db=self.server.db, user_id=authorization_code.user_id,
            tenant=authorization_code.tenant, auth_time=authorization_code.auth_time,
            amr=authorization_code.amr,
        )
        return user


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """Refresh token grant with rotation: every refresh token works once."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's class attribute
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: IdentityAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> store.StoredRefreshToken | None:
        """Claim the refresh token (it is revoked by this)."""
        result: store.StoredRefreshToken | None = self.server.call(
            store.claim_refresh_token, db=self.server.db, token=refresh_token,
            session_max_seconds=self.server.settings.session_max_seconds,
        )
        return result

    def authenticate_user(self, refresh_token: store.StoredRefreshToken) -> SignedInUser | None:
        """The person with their current roles; None if they hold none any more."""
        user: SignedInUser | None = self.server.call(
            load_signed_in_user, db=self.server.db, user_id=refresh_token.user_id,
            tenant=refresh_token.tenant, auth_time=refresh_token.auth_time,
            amr=refresh_token.amr,
        )
        return user

    def revoke_old_credential(self, refresh_token: store.StoredRefreshToken) -> None:
        """Nothing to do: claiming revoked it."""
