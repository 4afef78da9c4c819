"""The poll audit chain: hashing (chain.py), keys, writing (log.py), export and verifier."""
