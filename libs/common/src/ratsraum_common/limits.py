"""Limits both sides of a service border must agree on, defined once.

The proto files document each limit where its message is declared; the caller keeps within
it and the callee refuses more, both by reading the constant here.
"""

from __future__ import annotations

# voting.v1.VotingService/CastBallots: at most this many items per call. Voting refuses a
# larger call with INVALID_ARGUMENT; meeting's cast relay never sends one.
CAST_BALLOTS_MAX_ITEMS = 500

# meeting.v1.PublicMeetingService/ListPublicMeetings: meetings per page (the portal's backfill
# asks for this many; meeting refuses more with INVALID_ARGUMENT and uses the default for 0).
PUBLIC_MEETINGS_PAGE_DEFAULT = 50
PUBLIC_MEETINGS_PAGE_MAX = 200

# meeting.v1.PublicMeetingService/ListPublicRecords: records per page, one town per page (the
# portal's backfill asks for the default; meeting refuses more with INVALID_ARGUMENT).
PUBLIC_RECORDS_PAGE_DEFAULT = 200
PUBLIC_RECORDS_PAGE_MAX = 1000
