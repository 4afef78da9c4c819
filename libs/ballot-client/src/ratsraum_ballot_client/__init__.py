"""Encrypts a secret ballot on the voter's side with ElectionGuard 1.4 (see README)."""

from __future__ import annotations

import logging

from electionguard import logs as _eg_logs


def _quiet_electionguard() -> None:
    # ElectionGuard logs every encrypted selection at INFO (naming the option being encrypted)
    # and calls inspect.stack() for each line, even when filtered: silence both, keep warnings.
    logging.getLogger("electionguard").setLevel(logging.WARNING)
    for level in ("debug", "info"):
        setattr(_eg_logs.LOG, level, lambda *args, **kwargs: None)


_quiet_electionguard()

from ratsraum_ballot_client.ballot import (  # noqa: E402
    EncryptedBallot,
    encrypt_choice,
    find_confirmation_code,
)
from ratsraum_ballot_client.election import Election, build_manifest  # noqa: E402

__all__ = ["Election", "EncryptedBallot", "build_manifest", "encrypt_choice",
           "find_confirmation_code"]
