"""A guardian: holds one share of a secret poll's decryption key, on its own side."""
