"""Who may call which meeting endpoint: the table the role matrix test checks.

Roles are named from the view of the demo body (AID): `member`, `deputy`, `chair` and `clerk`
hold that role in it; `other_chair` and `other_clerk` hold it in another body of the same
town; `admin` is the town's admin; `operator` runs the platform. Every API route of the app
must be listed (the test fails on a new one until it is placed here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL_ROLES = ("member", "deputy", "chair", "clerk", "other_chair", "other_clerk", "admin",
             "operator")

# The demo chair also holds a seat (a chair votes in their own body).
PLACE = frozenset({"member", "deputy", "chair", "clerk"})
# The body's people, and the town's admin (the council office that keeps the records).
READ = PLACE | {"admin"}
RUN = frozenset({"chair", "clerk"})
CHAIR = frozenset({"chair"})
VOTE = frozenset({"member", "deputy", "chair"})
CLERK = frozenset({"clerk"})
ADMIN = frozenset({"admin"})
ANYONE = frozenset(ALL_ROLES)
STAFF_ANY_BODY = frozenset({"admin", "chair", "clerk", "other_chair", "other_clerk"})


@dataclass(frozen=True)
class Rule:
    """Who may call a route; `absent_ok`: a 404 for a sub-resource the setup did not make."""

    allowed: frozenset[str]
    absent_ok: bool = False
    stream: bool = False  # answers allowed callers with a stream that never ends
    public: bool = False  # no token at all (a provider's webhook with its own signature)
    # A valid body, where refusals past the role check must not hide behind a 422.
    json: dict[str, Any] = field(default_factory=dict)


M = "/api/v1/meetings/{meeting_id}"
ITEM = M + "/agenda-items/{item_id}"
P = "/api/v1/polls/{poll_id}"
A = "/api/v1/admin"
CL = "/api/v1/citizen-links/{tenant}/{meeting_id}"

TABLE: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/me"): Rule(ANYONE),
    ("GET", "/api/v1/meetings"): Rule(ANYONE),
    ("GET", M): Rule(READ),
    ("POST", M + "/open"): Rule(RUN),
    ("POST", M + "/close"): Rule(RUN),
    ("GET", M + "/agenda"): Rule(READ),
    ("POST", M + "/agenda-items"): Rule(CLERK),
    ("POST", ITEM + "/move"): Rule(RUN),
    ("POST", ITEM + "/status"): Rule(RUN),
    ("POST", ITEM + "/polls"): Rule(RUN),
    ("POST", ITEM + "/elections"): Rule(RUN),
    ("POST", ITEM + "/secret-elections"): Rule(RUN),
    # A clerk holds no seat: declaring without naming a member finds no member (404).
    ("POST", ITEM + "/conflicts"): Rule(PLACE, absent_ok=True),
    # {person_id} is the member becker: members withdraw only their own declaration.
    ("DELETE", ITEM + "/conflicts/{person_id}"): Rule(RUN | {"member"}, absent_ok=True),
    ("GET", ITEM + "/conflicts"): Rule(READ),
    ("POST", ITEM + "/vote-requests"): Rule(VOTE),
    ("GET", ITEM + "/vote-requests"): Rule(READ),
    ("GET", ITEM + "/speakers"): Rule(READ),
    ("POST", ITEM + "/speakers"): Rule(PLACE, absent_ok=True),
    ("DELETE", ITEM + "/speakers/{request_id}"): Rule(PLACE, absent_ok=True),
    ("POST", ITEM + "/speakers/{request_id}/move"): Rule(RUN, absent_ok=True),
    ("POST", ITEM + "/speakers/next"): Rule(RUN),
    ("POST", ITEM + "/speakers/end"): Rule(RUN),
    ("PUT", ITEM + "/speakers/settings"): Rule(RUN),
    ("PUT", M + "/attendance/{person_id}"): Rule(RUN),
    # Device checks: staff list everyone's; a member reports and practises only as themselves.
    ("GET", M + "/device-checks"): Rule(RUN),
    ("GET", M + "/device-checks/{person_id}"): Rule(RUN | {"member"}),
    ("PUT", M + "/device-checks/{person_id}"): Rule(
        frozenset({"member"}), json={"camera": "working", "microphone": "working",
                                     "connection_ms": 40}),
    ("POST", M + "/device-checks/{person_id}/practice-vote"): Rule(
        frozenset({"member"}), json={"choice": "yes"}),
    # Citizens' questions: staff of the body decide on them and record the answers (the
    # question ids are not made by the setup, so an allowed caller may meet a 404).
    ("GET", M + "/citizen-questions"): Rule(RUN),
    ("POST", M + "/citizen-questions/{question_id}/decision"): Rule(
        RUN, absent_ok=True, json={"approve": True}),
    ("PUT", M + "/citizen-questions/{question_id}/answer"): Rule(
        RUN, absent_ok=True, json={"answer": "Ja."}),
    ("PUT", M + "/attendance"): Rule(RUN),
    ("GET", M + "/attendance"): Rule(READ),
    ("GET", M + "/quorum"): Rule(READ),
    ("GET", M + "/hybrid-conditions"): Rule(READ),
    ("PUT", M + "/hybrid-conditions"): Rule(RUN),
    ("POST", M + "/invitations"): Rule(CLERK | ADMIN),
    ("GET", M + "/invitations"): Rule(RUN | ADMIN),
    ("POST", M + "/invitation-link"): Rule(VOTE),
    ("GET", M + "/minutes"): Rule(READ),
    ("GET", M + "/minutes/html"): Rule(READ),
    ("GET", M + "/minutes/pdf"): Rule(READ),
    ("PUT", M + "/minutes"): Rule(CLERK),
    ("PUT", M + "/minutes/items/{item_id}"): Rule(CLERK),
    ("PUT", M + "/minutes/absences/{person_id}"): Rule(CLERK),
    ("POST", M + "/minutes/sign"): Rule(RUN),
    ("PUT", M + "/minutes/own-votes/{poll_id}"): Rule(VOTE | CLERK),
    ("DELETE", M + "/minutes/own-votes/{poll_id}"): Rule(VOTE | CLERK, absent_ok=True),
    ("GET", M + "/join"): Rule(VOTE),
    ("GET", M + "/lobby"): Rule(RUN),
    ("POST", M + "/lobby/{person_id}/admit"): Rule(RUN, absent_ok=True),
    ("GET", M + "/admissions"): Rule(RUN),
    ("POST", M + "/heartbeat"): Rule(VOTE),
    ("POST", M + "/check-in"): Rule(VOTE),
    ("GET", M + "/connected"): Rule(READ),
    ("POST", M + "/disruptions"): Rule(PLACE),
    ("GET", M + "/disruptions"): Rule(READ),
    ("POST", M + "/interrupt"): Rule(CHAIR),
    ("POST", M + "/resume"): Rule(CHAIR),
    ("POST", M + "/disruptions/decision"): Rule(CHAIR),
    ("POST", M + "/live-ticket"): Rule(READ),
    ("GET", M + "/live"): Rule(READ, stream=True),
    ("GET", P): Rule(READ),
    ("POST", P + "/ballots"): Rule(VOTE),
    ("POST", P + "/close"): Rule(RUN),
    ("POST", P + "/cancel"): Rule(CHAIR),
    ("POST", P + "/show-of-hands"): Rule(RUN),
    ("POST", P + "/rerun"): Rule(CHAIR),
    ("POST", P + "/runoff"): Rule(RUN),
    ("POST", P + "/lot"): Rule(CHAIR),
    ("GET", P + "/log"): Rule(READ),
    ("GET", P + "/secret"): Rule(READ, absent_ok=True),
    ("POST", P + "/secret-ballots"): Rule(VOTE, absent_ok=True),
    ("GET", P + "/secret-record"): Rule(READ, absent_ok=True),
    ("GET", P + "/secret-record/codes/{code}"): Rule(READ, absent_ok=True),
    ("GET", "/api/v1/rule-profiles"): Rule(STAFF_ANY_BODY),
    ("GET", "/api/v1/bodies/{body_id}/rule-profile"): Rule(RUN | ADMIN),
    ("PUT", "/api/v1/bodies/{body_id}/rule-profile"): Rule(ADMIN),
    ("GET", A + "/bodies"): Rule(ADMIN),
    ("POST", A + "/bodies"): Rule(ADMIN),
    ("PATCH", A + "/bodies/{body_id}"): Rule(ADMIN),
    ("GET", A + "/legislative-terms"): Rule(ADMIN),
    ("POST", A + "/legislative-terms"): Rule(ADMIN),
    ("PATCH", A + "/legislative-terms/{term_id}"): Rule(ADMIN, absent_ok=True),
    ("GET", A + "/persons"): Rule(ADMIN),
    ("POST", A + "/persons"): Rule(ADMIN),
    ("PATCH", A + "/persons/{person_id}"): Rule(ADMIN),
    ("PUT", A + "/persons/{person_id}/email"): Rule(
        ADMIN | CLERK, json={"email": "becker@soest.example"}),
    ("GET", A + "/memberships"): Rule(ADMIN),
    ("POST", A + "/memberships"): Rule(ADMIN),
    ("PATCH", A + "/memberships/{membership_id}"): Rule(ADMIN, absent_ok=True),
    ("GET", A + "/organizations"): Rule(ADMIN),
    ("GET", A + "/papers"): Rule(ADMIN),
    ("GET", A + "/papers/{paper_id}"): Rule(ADMIN, absent_ok=True),
    ("POST", A + "/oparl/imports"): Rule(ADMIN),
    ("GET", A + "/oparl/imports"): Rule(ADMIN),
    ("PUT", "/api/v1/video/config"): Rule(ADMIN),
    ("PUT", "/api/v1/video/identities/{person_id}"): Rule(
        ADMIN, json={"provider": "jitsi", "external_id": "becker"}),
    ("POST", "/api/v1/video/{provider}/webhook"): Rule(frozenset(), public=True),
    # Citizens' links: the portal's calls carry no token (the mailed tokens are the check);
    # the clerk's office lists and revokes, the chair may look.
    ("POST", CL): Rule(frozenset(), public=True),
    ("POST", CL + "/confirm"): Rule(frozenset(), public=True),
    ("POST", CL + "/join"): Rule(frozenset(), public=True),
    ("GET", M + "/citizen-links"): Rule(RUN | ADMIN),
    ("PUT", M + "/citizen-room"): Rule(CLERK | ADMIN, json={"room": "Ratssaal, Nebenraum 2"}),
    ("POST", M + "/citizen-links/{link_id}/revoke"): Rule(CLERK | ADMIN, absent_ok=True),
    # The livestream: the clerk's office sets address and refusals, the chair may look.
    ("GET", M + "/stream"): Rule(RUN | ADMIN),
    ("PUT", M + "/stream"): Rule(CLERK | ADMIN, json={
        "url": "https://stream.example.org/rat/live.m3u8", "refused_person_ids": []}),
}
