"""Access to the app's long-lived objects from handlers."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter
from starlette.requests import Request

from ratsraum_common.db import Database
from ratsraum_common.secret_box import SecretBox
from ratsraum_identity.accounts.passkeys import RelyingParty
from ratsraum_identity.accounts.passwords import Passwords
from ratsraum_identity.accounts.ratelimit import LoginLimiter
from ratsraum_identity.api.client_address import Network, client_address
from ratsraum_identity.config import Settings
from ratsraum_identity.keys.keystore import KeyStore
from ratsraum_identity.mail import Mailer
from ratsraum_identity.oauth.server import IdentityAuthorizationServer


@dataclass
class Identity:
    """Everything the identity handlers share; stored on app.state.identity."""

    settings: Settings
    db: Database
    keystore: KeyStore
    server: IdentityAuthorizationServer
    passwords: Passwords
    secrets: SecretBox
    limiter: LoginLimiter
    mfa_limiter: LoginLimiter
    reset_limiter: LoginLimiter
    trusted_proxies: tuple[Network, ...]
    logins: Counter
    mailer: Mailer
    relying_party: RelyingParty

    def client_of(self, request: Request) -> str:
        """The real client address of the request (behind trusted proxies)."""
        return client_address(request, self.trusted_proxies)


def identity(request: Request) -> Identity:
    """The app's shared objects."""
    value: Identity = request.app.state.identity
    return value
