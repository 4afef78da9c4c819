"""A meeting's public papers and files: listed on its page, handed out through the portal."""
