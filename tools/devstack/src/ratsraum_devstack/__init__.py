"""Ratsraum devstack: starts NATS and all services locally, and the test fixtures for real servers."""
