"""Ratsraum meeting: bodies, agendas, attendance, quorum, votes, minutes."""
