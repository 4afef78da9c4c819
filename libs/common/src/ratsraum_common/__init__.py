"""Code every Ratsraum service shares, written once."""
