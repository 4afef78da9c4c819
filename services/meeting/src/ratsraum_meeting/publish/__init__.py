"""Above the domains: what the public and members' screens are told after a change.

`public.py` stages the public snapshot (`snapshot.py`) for every meeting a unit of work
noted as changed (`ratsraum_meeting.changes`); `live_state.py` and `push.py` read attendance,
lobby, quorum and polls together for the live screens. Domains never import this package.
"""
