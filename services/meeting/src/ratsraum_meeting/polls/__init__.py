"""Votes on agenda items, run by the voting service."""
