"""Coalescing concurrent casts into CastBallots calls to voting.

A council's vote arrives as a burst, and one unary RPC per ballot cost meeting (and voting)
more CPU than everything else a cast does. Each HTTP cast therefore queues its request and
awaits its own future; a sender sends whatever is queued at once as one CastBallots call
while fewer than `in_flight` calls are running. An idle system sends a lone cast right away
(a batch of one, no added delay); a busy one collects the casts that arrive while the
running calls wait, so batches grow with load by themselves. Under a steady stream that is
not enough: every call costs both services far more CPU than a cast in it, and calls that
return quickly carry one or two casts. So while casts keep coming (a call was sent within
the last `linger` seconds) the next call waits until its oldest cast has waited `linger`,
a few milliseconds a member does not notice and several times fewer calls.

Guarantees are those of the unary call: each cast gets voting's own answer for it (accepted,
replayed, or the same refusal as the same VotingRefused); a transient failure of the whole
call retries the whole batch with the same bounded attempts and backoff (casts are
idempotent by key, so a retry counts each ballot once); a member never waits longer than
the unary call's worst case. A voting service that does not know CastBallots yet (rolling
upgrade) is served one unary call per cast.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from dataclasses import dataclass, field

import grpc
from opentelemetry import trace

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.limits import CAST_BALLOTS_MAX_ITEMS
from ratsraum_common.logging import get_logger
from ratsraum_common.retry import total_backoff
from ratsraum_common.telemetry import current_traceparent, tracer
from ratsraum_meeting.polls.voting_call import (
    VotingRefused,
    VotingUnavailable,
    call_voting,
    refused_by_item,
)

log = get_logger(__name__)
_tracer = tracer(__name__)
SPAN_NAME = "ratsraum.voting.v1.VotingService/CastBallots cast"


@dataclass(slots=True)
class _Pending:
    request: voting_pb2.CastBallotRequest
    traceparent: str
    future: asyncio.Future[voting_pb2.CastBallotResponse] = field(repr=False)
    queued_at: float = 0.0


class CastRelay:
    """Per-process queue of casts, sent to voting in CastBallots calls of up to `max_batch`."""

    def __init__(
        self, stub: voting_pb2_grpc.VotingServiceStub, *, deadline_seconds: float,
        attempts: int, backoff_seconds: float,
        # One call in flight: casts arriving meanwhile make the next call larger, which is
        # what keeps the per-ballot cost low under a steady stream (docs/benchmarks.md).
        in_flight: int = 1, max_batch: int = CAST_BALLOTS_MAX_ITEMS,
        linger_seconds: float = 0.01,
    ) -> None:
        self.stub = stub
        self.deadline = deadline_seconds
        self.attempts = attempts
        self.backoff = backoff_seconds
        self.in_flight = in_flight
        self.max_batch = max_batch
        self.linger = linger_seconds
        self.batches_supported = True
        self._queue: deque[_Pending] = deque()
        self._running: set[asyncio.Task[None]] = set()
        self._kick_scheduled = False
        self._last_sent = float("-inf")

    def worst_case_seconds(self) -> float:
        """How long a cast could take at most: its linger, every attempt and the backoffs."""
        backoffs = total_backoff(attempts=self.attempts, backoff_seconds=self.backoff)
        return self.linger + self.attempts * self.deadline + backoffs

    async def cast(self, request: voting_pb2.CastBallotRequest) -> voting_pb2.CastBallotResponse:
        """Send one cast with the others queued now; its own answer, or its own refusal."""
        if not self.batches_supported:
            return await self._unary(request)
        # A client span per cast: the batch call has a trace of its own, this span carries
        # the member's trace into voting (through the item's traceparent).
        with _tracer.start_as_current_span(SPAN_NAME, kind=trace.SpanKind.CLIENT):
            loop = asyncio.get_running_loop()
            future: asyncio.Future[voting_pb2.CastBallotResponse] = loop.create_future()
            self._queue.append(_Pending(request, current_traceparent() or "", future,
                                        loop.time()))
            if not self._kick_scheduled:
                # Sent on the next loop turn, so casts that arrived in the same turn share it.
                self._kick_scheduled = True
                loop.call_soon(self._kick)
            try:
                return await asyncio.wait_for(future, self.worst_case_seconds())
            except TimeoutError:
                raise VotingUnavailable("CastBallots") from None

    def _kick(self) -> None:
        self._kick_scheduled = False
        loop = asyncio.get_running_loop()
        now = loop.time()
        if (self._queue and len(self._running) < self.in_flight
                and len(self._queue) < self.max_batch
                and now - self._last_sent < self.linger):
            due = self._queue[0].queued_at + self.linger
            if now < due:  # casts keep coming: let this call gather more of them
                self._kick_scheduled = True
                loop.call_at(due, self._kick)
                return
        while self._queue and len(self._running) < self.in_flight:
            batch: list[_Pending] = []
            while self._queue and len(batch) < self.max_batch:
                pending = self._queue.popleft()
                if not pending.future.done():  # a caller that gave up is not sent
                    batch.append(pending)
            if not batch:
                continue
            # A fresh context: the call serves many casts, so it carries no one caller's trace
            # or log bindings.
            task = asyncio.create_task(self._send(batch), context=contextvars.Context())
            self._last_sent = now
            self._running.add(task)
            task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("voting.cast_batch_crashed", exc_info=task.exception())
        if not self._kick_scheduled:
            self._kick()  # what queued meanwhile goes now (or once it has lingered)

    async def _send(self, batch: list[_Pending]) -> None:
        try:
            results = await self._call(batch)
        except VotingRefused as exc:
            if exc.code == grpc.StatusCode.UNIMPLEMENTED:
                await self._unary_fallback(batch)
                return
            # The whole call was refused (e.g. voting's limits): every cast learns why.
            for pending in batch:
                _settle(pending, VotingRefused(exc.code, exc.reason, exc.message))
            return
        except VotingUnavailable as exc:
            for pending in batch:
                _settle(pending, VotingUnavailable(*exc.args))
            return
        except BaseException as exc:  # a bug or shutdown: nobody is left waiting forever
            for pending in batch:
                _settle(pending, VotingUnavailable(f"CastBallots: {exc!r}"))
            raise
        for pending, result in zip(batch, results, strict=True):
            if result.WhichOneof("result") == "cast":
                _settle(pending, result.cast)
            else:
                r = result.refusal
                _settle(pending, refused_by_item(r.code, r.reason, r.message))

    async def _call(self, batch: list[_Pending]) -> list[voting_pb2.CastBallotsResult]:
        request = voting_pb2.CastBallotsRequest(items=[
            voting_pb2.CastBallotsItem(cast=p.request, traceparent=p.traceparent)
            for p in batch])
        response: voting_pb2.CastBallotsResponse = await call_voting(
            "CastBallots", self.stub.CastBallots, request, timeout=self.deadline,
            attempts=self.attempts, backoff_seconds=self.backoff)
        results = list(response.results)
        if len(results) != len(batch):  # never guess which answer is whose
            raise VotingUnavailable(f"CastBallots answered {len(results)} of {len(batch)}")
        return results

    async def _unary(
        self, request: voting_pb2.CastBallotRequest
    ) -> voting_pb2.CastBallotResponse:
        """One cast in a call of its own (a voting service without CastBallots)."""
        answer: voting_pb2.CastBallotResponse = await call_voting(
            "CastBallot", self.stub.CastBallot, request, timeout=self.deadline,
            attempts=self.attempts, backoff_seconds=self.backoff)
        return answer

    async def _unary_fallback(self, batch: list[_Pending]) -> None:
        if self.batches_supported:
            log.warning("voting.cast_batches_unsupported")
        self.batches_supported = False

        async def one(pending: _Pending) -> None:
            try:
                answer: voting_pb2.CastBallotResponse | BaseException = await self._unary(
                    pending.request)
            except Exception as exc:
                answer = exc
            _settle(pending, answer)

        await asyncio.gather(*(one(p) for p in batch))


def _settle(pending: _Pending, answer: voting_pb2.CastBallotResponse | BaseException) -> None:
    if pending.future.done():  # the caller gave up; the cast may still have counted
        return
    if isinstance(answer, BaseException):
        pending.future.set_exception(answer)
    else:
        pending.future.set_result(answer)
