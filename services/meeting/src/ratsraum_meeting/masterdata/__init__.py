"""Master data: legislative terms, organizations, papers and files (with bodies and people)."""
