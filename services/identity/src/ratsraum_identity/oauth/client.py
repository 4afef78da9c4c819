"""The registered OAuth clients: the public web app (configured by settings) and identity's
own account pages, which sign a person in through the same login page."""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list

WEB_SCOPES = ("openid", "profile")
# Identity's own pages for a person's sign-in means (ratsraum_identity.api.account_session).
ACCOUNT_CLIENT_ID = "ratsraum-account"
ACCOUNT_CALLBACK = "/account/callback"


@dataclass(frozen=True)
class PublicClient(ClientMixin):  # type: ignore[misc]
    """A public client (no secret) that must use PKCE with S256."""

    client_id: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...] = ()
    scopes: tuple[str, ...] = WEB_SCOPES
    # Without refresh tokens a sign-in lasts only as long as its access token.
    refreshes: bool = True

    def get_client_id(self) -> str:
        """The client id."""
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        """None: every request must name its redirect URI (OIDC Core 3.1.2.1)."""
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The requested scopes this client may have."""
        if not scope:
            return ""
        return str(list_to_scope([s for s in scope_to_list(scope) if s in self.scopes]))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match against the registered URIs (no prefix or pattern matching)."""
        return redirect_uri in self.redirect_uris

    def check_post_logout_redirect_uri(self, uri: str) -> bool:
        """Exact match against the registered sign-out return addresses."""
        return uri in self.post_logout_redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        """A public client has no secret."""
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Public: the token endpoint accepts it without authentication."""
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        """Only the authorization code flow."""
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        """Code and refresh token grants."""
        return grant_type == "authorization_code" or (
            self.refreshes and grant_type == "refresh_token")
