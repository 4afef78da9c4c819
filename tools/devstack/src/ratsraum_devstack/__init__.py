"""Ratsraum devstack: runs NATS and all services locally; fixtures for real servers."""
