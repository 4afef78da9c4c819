"""The access token (RFC 9068 JWT) and ID token contents."""

from __future__ import annotations

import time
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import OpenIDCode, UserInfo
from joserfc.jwk import KeySet

from ratsraum_identity.accounts.service import SignedInUser
from ratsraum_identity.config import Settings
from ratsraum_identity.keys.keystore import ALGORITHM, KeyStore


def user_claims(user: SignedInUser, scope: str) -> dict[str, Any]:
    """Claims about the person, shared by access token, ID token and userinfo."""
    claims: dict[str, Any] = {"sub": user.subject, "tenant": user.tenant,
                              "roles": list(user.roles)}
    if user.standing is not None:  # the body-scoped claims (README: "Roles in tokens")
        claims["town_roles"] = list(user.standing.town_roles)
        claims["body_roles"] = [{"body": body, "role": role}
                                for body, role in user.standing.body_roles]
        if user.standing.person:
            claims["person"] = user.standing.person
    if "profile" in scope.split():
        claims["name"] = user.name
        claims["preferred_username"] = user.username
    return claims


class AccessTokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    """Signed JWT access tokens for the meeting API, carrying the town and its roles."""

    def __init__(self, *, settings: Settings, keystore: KeyStore) -> None:
        super().__init__(
            issuer=settings.issuer,
            alg=ALGORITHM,
            refresh_token_generator=self._refresh_token,
            expires_generator=lambda _client, _grant_type: settings.access_token_lifetime_seconds,
        )
        self.settings = settings
        self.keystore = keystore

    @staticmethod
    def _refresh_token(client: Any, grant_type: str, user: SignedInUser, scope: str) -> str:
        # The town prefix lets the token endpoint look it up in a tenant-scoped session.
        return f"{user.tenant}.{generate_token(48)}"

    def get_jwks(self) -> KeySet:
        """The current signing key."""
        return self.keystore.signing_keyset()

    def get_audiences(self, client: Any, user: Any, scope: str) -> str:
        """The meeting API is the resource these tokens are for."""
        return self.settings.meeting_audience

    def get_extra_claims(
        self, client: Any, grant_type: str, user: SignedInUser, scope: str
    ) -> dict[str, Any]:
        """Town, roles and names; `name` always, as the meeting API shows it."""
        return {**user_claims(user, "profile"), "sub": user.subject}

    def get_auth_time(self, user: SignedInUser) -> int:
        """When the person signed in."""
        return user.auth_time

    def get_amr(self, user: SignedInUser) -> list[str]:
        """How the person signed in; the seam for a second factor."""
        return list(user.amr)


class IdentityOpenIDCode(OpenIDCode):  # type: ignore[misc]
    """ID tokens for the code flow, signed with our current key."""

    def __init__(self, *, settings: Settings, keystore: KeyStore) -> None:
        super().__init__(require_nonce=False)
        self.settings = settings
        self.keystore = keystore

    def resolve_client_private_key(self, client: Any) -> KeySet:
        """The current signing key."""
        return self.keystore.signing_keyset()

    def get_client_algorithm(self, client: Any) -> str:
        """RS256, as published in discovery."""
        return ALGORITHM

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        """Issuer, audience (the client) and expiry."""
        return {
            "iss": self.settings.issuer,
            "aud": [client.get_client_id()],
            "exp": int(time.time()) + self.settings.id_token_lifetime_seconds,
        }

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        """Nonce replay is detected by the client (OIDC Core 15.5.2); we only echo it."""
        return False

    def generate_user_info(self, user: SignedInUser, scope: str) -> UserInfo:
        """The person's claims for the granted scope."""
        return UserInfo(user_claims(user, scope))
