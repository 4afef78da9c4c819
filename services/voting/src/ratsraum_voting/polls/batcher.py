"""Group commit for open casts: the casts that arrive together share one transaction.

A council's vote arrives as a burst. Casting each ballot in its own transaction costs three
statements, a commit and (on SQLite) a turn at the single writer per ballot; most of that is
Python and driver overhead that does not depend on how many rows a statement carries. The
batcher queues casts and one worker per process applies everything queued in one transaction
(`cast_batch.apply`). Each caller's future is resolved only after that transaction
committed, so an acknowledged ballot is durable exactly as before. While a batch is being
written the next one collects, so a lone cast waits for nothing and a burst gets batches as
large as the database is slow.

If a batch fails as a whole (a database error, or a retry racing its twin in another batch
more often than the retries allow), every cast of it is retried on its own through the
single-cast path, so one bad cast never fails the others and each keeps its own answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError

from ratsraum_common.db import Database
from ratsraum_common.limits import CAST_BALLOTS_MAX_ITEMS
from ratsraum_common.logging import get_logger
from ratsraum_common.retry import bounded_retry
from ratsraum_voting.errors import VotingError
from ratsraum_voting.polls import cast, cast_batch
from ratsraum_voting.polls.schemas import CastCommand, CastOutcome

log = get_logger(__name__)

_ATTEMPTS = 3


@dataclass(slots=True)
class _Queued:
    command: CastCommand
    future: asyncio.Future[CastOutcome] = field(repr=False)


class CastBatcher:
    """Per-process queue of casts, written in batches of up to `max_batch`.

    `workers` batches may be in flight at once: one on SQLite (one writer anyway), more on
    PostgreSQL, where a second batch's Python work overlaps the first one's round trips.
    """

    def __init__(
        self, db: Database, *, max_batch: int = CAST_BALLOTS_MAX_ITEMS,
        workers: int | None = None, linger_seconds: float = 0.0,
    ) -> None:
        self.db = db
        self.max_batch = max_batch
        self.linger = linger_seconds
        self.workers = workers if workers is not None else (1 if db.is_sqlite else 2)
        self._queue: deque[_Queued] = deque()
        self._running: set[asyncio.Task[None]] = set()

    async def cast(self, command: CastCommand) -> CastOutcome:
        """Queue a cast and wait until its batch committed (or it was refused)."""
        return await self._enqueue([command])[0]

    async def cast_many(self, commands: list[CastCommand]) -> list[CastOutcome | Exception]:
        """Queue many casts at once (one CastBallots call) and wait for every answer.

        Answers are in order; a refusal or failure of one cast is its answer, never the
        others'. Queued together, they share a group commit unless the queue is longer than
        `max_batch`.
        """
        futures = self._enqueue(commands)
        if not futures:
            return []
        try:
            await asyncio.wait(futures)
        except asyncio.CancelledError:
            for future in futures:  # like a lone caller giving up: its batch still commits
                future.cancel()
            raise
        answers: list[CastOutcome | Exception] = []
        for future in futures:
            if future.cancelled():  # the worker was cancelled (shutdown): nothing is known
                answers.append(RuntimeError("cast cancelled before its batch committed"))
                continue
            exc = future.exception()
            answers.append(future.result() if exc is None else
                           exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
        return answers

    def _enqueue(self, commands: list[CastCommand]) -> list[asyncio.Future[CastOutcome]]:
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[CastOutcome]] = []
        for command in commands:
            future: asyncio.Future[CastOutcome] = loop.create_future()
            self._queue.append(_Queued(command, future))
            futures.append(future)
        while commands and len(self._running) < self.workers:
            # A fresh context: the worker outlives this call and serves many callers, so it
            # must not carry this caller's log bindings or trace.
            task = asyncio.create_task(self._work(), context=contextvars.Context())
            self._running.add(task)
            if len(self._queue) <= self.max_batch:
                break  # one worker takes them all; more would find an empty queue
        return futures

    async def _work(self) -> None:
        me = asyncio.current_task()
        try:
            # Let the calls that arrived in the same burst queue up before taking a batch.
            await asyncio.sleep(self.linger)
            while self._queue:
                batch = [self._queue.popleft()
                         for _ in range(min(self.max_batch, len(self._queue)))]
                await self._write(batch)
        finally:
            # Deregistered in the same step that saw the queue empty: a cast queued after
            # this point starts a new worker, none waits for a worker that has gone.
            if me is not None:
                self._running.discard(me)

    async def _write(self, batch: list[_Queued]) -> None:
        commands = [q.command for q in batch]
        try:
            answers = await self._apply(commands)
        except (DBAPIError, OSError):
            log.warning("cast.batch_failed", size=len(batch), exc_info=True)
            await asyncio.gather(*(self._single(q) for q in batch))
            return
        except asyncio.CancelledError:
            for queued in batch:
                queued.future.cancel()
            raise
        except Exception as exc:
            for queued in batch:
                _settle(queued, exc)
            return
        for queued, answer in zip(batch, answers, strict=True):
            _settle(queued, answer)

    async def _apply(self, commands: list[CastCommand]) -> list[CastOutcome | VotingError]:
        # A twin of one of these casts (same key) committed first in another batch or process,
        # or PostgreSQL broke a lock cycle; the next attempt replays or wins.
        async for attempt in bounded_retry(what="voting.cast_batch", attempts=_ATTEMPTS,
                                           backoff_seconds=0.0, retry_on=DBAPIError):
            with attempt:
                lock = (self.db.write_lock if self.db.write_lock is not None
                        else contextlib.nullcontext())
                async with lock, self.db.engine.begin() as conn:
                    return await cast_batch.apply(conn, commands)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _single(self, queued: _Queued) -> None:
        try:
            answer: CastOutcome | BaseException = await cast.cast_ballot(
                db=self.db, command=queued.command)
        except Exception as exc:
            answer = exc
        _settle(queued, answer)

    async def stop(self) -> None:
        """Wait for the batches in flight (service shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)


def _settle(queued: _Queued, answer: CastOutcome | BaseException) -> None:
    if queued.future.done():  # the caller gave up (deadline); its ballot may still count
        return
    if isinstance(answer, BaseException):
        queued.future.set_exception(answer)
    else:
        queued.future.set_result(answer)
