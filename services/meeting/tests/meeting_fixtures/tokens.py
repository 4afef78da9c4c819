"""Access tokens as identity would sign them: the `issuer` fixture."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from ratsraum_common import demo
from ratsraum_common.auth import TokenVerifier

ISSUER = "https://id.test.example"
AUDIENCE = "ratsraum-meeting"


@dataclass
class Issuer:
    """Signs access tokens as identity would; its JWKS feeds the real verifier."""

    key: RSAKey

    def jwks(self) -> dict[str, Any]:
        """The public key set."""
        return KeySet([self.key]).as_dict(private=False)

    def verifier(self) -> TokenVerifier:
        """A real TokenVerifier that fetches this issuer's JWKS."""

        async def fetch(_url: str) -> dict[str, Any]:
            return self.jwks()

        return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url="unused", fetch=fetch)

    def token(self, subject: str, roles: list[str], *, tenant: str = demo.TENANT,
              body: str | None = None, **extra: Any) -> str:
        """A signed access token for the meeting API.

        With `body`, the roles are claimed in that body as identity does (`body_roles`,
        "admin" in `town_roles`); without, as town-wide roles of the old shape.
        """
        now = int(time.time())
        claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject,
                                  "tenant": tenant, "roles": roles, "name": subject,
                                  "iat": now, "exp": now + 600}
        if body is not None:
            claims.update(demo.role_claims(roles, body))
        claims.update(extra)
        return jwt.encode({"alg": "RS256", "kid": self.key.kid, "typ": "at+jwt"}, claims, self.key)

    def person(self, username: str, *, tenant: str = demo.TENANT,
               **extra: Any) -> dict[str, str]:
        """Authorization header of a demo person with their demo roles in the demo body."""
        person = next(p for p in demo.PEOPLE if p.username == username)
        token = self.token(person.subject, list(person.roles), tenant=tenant,
                           body=demo.body_id_for(tenant, demo.BODY_SHORT), **extra)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    """One signing key for the session."""
    return Issuer(RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True))
