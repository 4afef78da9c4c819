"""Ratsraum voting: the internal ballot service."""
