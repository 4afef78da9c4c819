"""Citizens' feedback on the portal (BITV 2.0 feedback mechanism)."""
