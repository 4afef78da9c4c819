"""Sign-in of people using the web app: the OIDC client of identity and server-side sessions."""
