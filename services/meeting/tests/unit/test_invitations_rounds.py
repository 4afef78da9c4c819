"""Which kind and iCalendar SEQUENCE a send gets, from what was sent before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratsraum_common.problems import Problem
from ratsraum_meeting.invitations.models import InvitationDelivery
from ratsraum_meeting.invitations.service import Round, plan_round


def _sent(kind: str, sequence: int, status: str = "sent") -> InvitationDelivery:
    return InvitationDelivery(id=f"{kind}{sequence}", meeting_id="m", person_id="p", kind=kind,
                              sequence=sequence, subject="", status=status,
                              created_at=datetime.now(UTC), sent_by="clerk")


def test_first_send_is_the_invitation() -> None:
    assert plan_round(requested=None, history=[]) == Round("invitation", 0)
    # Nothing reached anyone yet (mail server down): still the first invitation.
    assert plan_round(requested=None, history=[_sent("invitation", 0, "failed")]) == Round(
        "invitation", 0)


def test_later_sends_update_and_resends_keep_the_sequence() -> None:
    history = [_sent("invitation", 0), _sent("update", 1)]
    assert plan_round(requested=None, history=history) == Round("update", 2)
    assert plan_round(requested="invitation", history=history) == Round("update", 1)
    assert plan_round(requested="cancellation", history=history) == Round("cancellation", 2)


@pytest.mark.parametrize(("requested", "history", "code"), [
    ("update", [], "not-invited-yet"),
    ("cancellation", [], "not-invited-yet"),
    (None, [_sent("invitation", 0), _sent("cancellation", 1)], "meeting-cancelled"),
])
def test_refused_rounds(requested: str | None, history: list[InvitationDelivery],
                        code: str) -> None:
    with pytest.raises(Problem) as refused:
        plan_round(requested=requested, history=history)
    assert refused.value.code == code
    assert refused.value.status == 409
