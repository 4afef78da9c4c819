"""A citizen's personal link into the public part of one meeting (double opt-in by mail)."""
