"""Signed minutes (Niederschrift) of public meetings: the public part as meeting signed it."""
