"""A meeting's livestream: its address and the members who refused to be streamed."""
