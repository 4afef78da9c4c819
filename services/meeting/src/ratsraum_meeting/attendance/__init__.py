"""Who is present at a meeting, and the log of every change."""
