"""Lost connections during a session: reports, interruptions, decisions on the sphere."""
