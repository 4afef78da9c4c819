"""Bodies, members, meetings and their agendas."""
