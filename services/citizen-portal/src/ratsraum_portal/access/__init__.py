"""A citizen's personal link into a meeting's public part, as the portal offers it."""
