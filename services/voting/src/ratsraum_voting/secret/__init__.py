"""Secret ballots with ElectionGuard 1.4: key ceremony, casting, tally, record, verifier."""
