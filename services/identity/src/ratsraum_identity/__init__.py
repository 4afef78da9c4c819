"""Ratsraum identity: OpenID Connect provider with per-town roles."""
