"""Every table of voting, imported in one place so Base.metadata is complete (Alembic)."""

from ratsraum_voting.db import Base
from ratsraum_voting.events import OutboxMessage
from ratsraum_voting.polls.models import AuditEntry, Ballot, CastRequest, Poll, RollEntry
from ratsraum_voting.secret.models import (
    SecretBallot,
    SecretPoll,
    SecretRecordFile,
    SecretRollEntry,
)

__all__ = ["AuditEntry", "Ballot", "Base", "CastRequest", "OutboxMessage", "Poll", "RollEntry",
           "SecretBallot", "SecretPoll", "SecretRecordFile", "SecretRollEntry"]
