"""argon2id at OWASP's minimum cost, re-hashing of old hashes, bounded hashing threads."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters
from pydantic import ValidationError

from ratsraum_identity.accounts.passwords import DEFAULT, Passwords
from ratsraum_identity.config import Settings


def test_hashes_use_owasps_recommended_argon2id_minimum() -> None:
    params = extract_parameters(DEFAULT.hash("geheim-123"))
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


def test_settings_refuse_a_cost_below_the_owasp_minimum(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, password_hash_memory_kib=8192)
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, password_hash_time_cost=1)


def test_a_hash_with_the_librarys_old_default_cost_needs_rehashing() -> None:
    old = PasswordHasher().hash("geheim-123")  # what identity stored before
    assert DEFAULT.verify(old, "geheim-123")
    assert DEFAULT.needs_rehash(old)
    assert not DEFAULT.needs_rehash(DEFAULT.hash("geheim-123"))


async def test_no_more_hashes_run_at_once_than_the_bound() -> None:
    running, peak = 0, 0
    lock = threading.Lock()

    class Counting(Passwords):
        def verify(self, password_hash: str | None, password: str) -> bool:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return False

    passwords = Counting(concurrency=2)
    started = time.perf_counter()
    await asyncio.gather(*(passwords.verify_async(None, "x") for _ in range(8)))
    assert peak == 2
    assert time.perf_counter() - started >= 0.08  # four rounds of two
