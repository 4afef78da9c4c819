"""The VotingService servicer: parse the request, call the poll service, map refusals."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
import structlog
from opentelemetry import trace

from ratsraum.voting.v1 import voting_pb2, voting_pb2_grpc
from ratsraum_common.db import Database
from ratsraum_common.grpcutil import error_status
from ratsraum_common.limits import CAST_BALLOTS_MAX_ITEMS
from ratsraum_common.logging import get_logger
from ratsraum_common.telemetry import extract_context, tracer
from ratsraum_voting.api.lifecycle import LifecycleRpcs
from ratsraum_voting.api.status import ERROR_DOMAIN, STATUS_CODES
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.errors import Reason, VotingError, invalid
from ratsraum_voting.metrics import VotingMetrics
from ratsraum_voting.polls import service
from ratsraum_voting.polls.batcher import CastBatcher
from ratsraum_voting.polls.schemas import (
    CastCommand,
    CastOutcome,
    OpenPollCommand,
    OptionSpec,
    PollKind,
    VoteMethod,
    check_id,
    check_poll_id,
    check_tenant,
)
from ratsraum_voting.polls.wire import (
    METHODS_FROM_WIRE,
    RULES_FROM_WIRE,
    poll_to_proto,
    set_timestamp,
)
from ratsraum_voting.rules import Rule

SERVICE_NAME = "ratsraum.voting.v1.VotingService"
log = get_logger(__name__)
T = TypeVar("T")
_tracer = tracer(__name__)



def _method(value: int) -> VoteMethod:
    if value == voting_pb2.VOTE_METHOD_SECRET:
        raise VotingError(
            Reason.METHOD_NOT_SUPPORTED,
            "Geheime Abstimmungen laufen über SecretBallotService.OpenSecretPoll "
            "(verschlüsselte Stimmzettel, Guardians), nicht über OpenPoll.",
        )
    if value not in METHODS_FROM_WIRE:
        raise invalid("method", "VOTE_METHOD_OPEN oder VOTE_METHOD_ROLL_CALL angeben.")
    return METHODS_FROM_WIRE[value]


def _rule(value: int) -> Rule:
    if value not in RULES_FROM_WIRE:
        raise invalid(
            "majority_rule", "Mehrheitsregel angeben (SIMPLE, TWO_THIRDS_OF_CAST, "
            "MAJORITY_OF_STATUTORY oder TWO_THIRDS_OF_STATUTORY)."
        )
    return RULES_FROM_WIRE[value]


def open_command(request: voting_pb2.OpenPollRequest) -> OpenPollCommand:
    """Validate an OpenPollRequest into a command."""
    tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
    return OpenPollCommand.create(
        tenant=tenant, poll_id=poll_id, meeting_id=request.meeting_id,
        agenda_item_id=request.agenda_item_id, title=request.title,
        method=_method(request.method), rule=_rule(request.majority_rule),
        options=[OptionSpec(o.id, o.label) for o in request.options],
        roll=list(request.roll), statutory_members=request.statutory_members,
        public=request.public,
        kind=PollKind.ELECTION if request.kind == voting_pb2.POLL_KIND_ELECTION
        else PollKind.MOTION,
    )


def cast_span(traceparent: str) -> trace.Span:
    """A span for one cast of a CastBallots call, in the trace of the caller's cast.

    The call's own span (from the gRPC interceptor) belongs to the batch; each cast's trace
    continues here, linked to the batch that carried it.
    """
    batch = trace.get_current_span().get_span_context()
    parent = extract_context({"traceparent": traceparent}) if traceparent else None
    return _tracer.start_span(
        f"{SERVICE_NAME}/CastBallots cast", context=parent, kind=trace.SpanKind.SERVER,
        links=[trace.Link(batch)] if batch.is_valid else None,
        attributes={"rpc.system": "grpc", "rpc.service": SERVICE_NAME,
                    "rpc.method": "CastBallots"},
    )


def _batch_tenant(request: voting_pb2.CastBallotsRequest) -> str:
    """The tenant for log lines: the first item's (a batch usually serves one town)."""
    return request.items[0].cast.tenant if request.items else ""


class VotingServicer(LifecycleRpcs, voting_pb2_grpc.VotingServiceServicer):  # type: ignore[misc]
    """gRPC handlers: thin translation around `ratsraum_voting.polls.service`."""

    def __init__(self, *, db: Database, metrics: VotingMetrics, signer: AuditSigner) -> None:
        self.db = db
        self.metrics = metrics
        self.signer = signer
        # Casts that arrive together are written in one transaction (group commit).
        self.batcher = CastBatcher(db)

    async def _handle(
        self, rpc: str, tenant: str, context: grpc.aio.ServicerContext,
        call: Callable[[], Awaitable[T]],
    ) -> T:
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            try:
                # Every log line of this call carries the RPC and (unvalidated) tenant.
                with structlog.contextvars.bound_contextvars(rpc=rpc, tenant=tenant[:63]):
                    return await call()
            except VotingError as exc:
                code = STATUS_CODES[exc.reason]
                refusal = error_status(
                    code, exc.reason.value, exc.message, domain=ERROR_DOMAIN
                )
            except Exception:
                log.exception("grpc.failed", rpc=rpc)
                code = grpc.StatusCode.INTERNAL
                refusal = error_status(
                    code, "INTERNAL", "Interner Fehler im Abstimmungsdienst.",
                    domain=ERROR_DOMAIN,
                )
            await context.abort_with_status(refusal)
            raise AssertionError("abort_with_status returned")
        finally:
            self.metrics.grpc_duration.labels(rpc).observe(time.perf_counter() - started)
            self.metrics.grpc_requests.labels(rpc, code.name).inc()

    async def OpenPoll(
        self, request: voting_pb2.OpenPollRequest, context: grpc.aio.ServicerContext
    ) -> voting_pb2.Poll:
        """Open a poll with its roll."""

        async def call() -> voting_pb2.Poll:
            view = await service.open_poll(db=self.db, command=open_command(request))
            self.metrics.polls_opened.labels(view.method.value).inc()
            return poll_to_proto(view)

        return await self._handle("OpenPoll", request.tenant, context, call)

    async def CastBallot(
        self, request: voting_pb2.CastBallotRequest, context: grpc.aio.ServicerContext
    ) -> voting_pb2.CastBallotResponse:
        """Record a ballot, idempotently."""

        async def call() -> voting_pb2.CastBallotResponse:
            command = CastCommand.create(
                tenant=request.tenant, poll_id=request.poll_id, voter_id=request.voter_id,
                option_id=request.option_id, idempotency_key=request.idempotency_key,
            )
            outcome = await self.batcher.cast(command)
            if not outcome.replayed:
                self.metrics.ballots_cast.labels(outcome.method.value).inc()
            response = voting_pb2.CastBallotResponse(
                ballot_id=outcome.ballot_id, replayed=outcome.replayed,
                ballots_cast=outcome.ballots_cast,
            )
            set_timestamp(response.accepted_at, outcome.accepted_at)
            return response

        return await self._handle("CastBallot", request.tenant, context, call)

    async def CastBallots(
        self, request: voting_pb2.CastBallotsRequest, context: grpc.aio.ServicerContext
    ) -> voting_pb2.CastBallotsResponse:
        """Record many ballots in one group commit; each item gets CastBallot's answer."""

        async def call() -> voting_pb2.CastBallotsResponse:
            items = request.items
            if len(items) > CAST_BALLOTS_MAX_ITEMS:
                raise invalid("items", f"höchstens {CAST_BALLOTS_MAX_ITEMS} Stimmabgaben je "
                              f"Aufruf (gesendet: {len(items)}).")
            spans = [cast_span(item.traceparent) for item in items]
            commands: list[CastCommand | None] = []
            answers: list[CastOutcome | Exception | None] = []
            for item in items:
                c = item.cast
                try:  # validated like the unary call; a bad item is refused alone
                    commands.append(CastCommand.create(
                        tenant=c.tenant, poll_id=c.poll_id, voter_id=c.voter_id,
                        option_id=c.option_id, idempotency_key=c.idempotency_key))
                    answers.append(None)
                except VotingError as exc:
                    commands.append(None)
                    answers.append(exc)
            valid = [command for command in commands if command is not None]
            try:
                outcomes = iter(await self.batcher.cast_many(valid))
            except BaseException:  # cancelled (deadline, shutdown): the casts' spans end too
                for span in spans:
                    span.end()
                raise
            response = voting_pb2.CastBallotsResponse()
            for span, command, answer in zip(spans, commands, answers, strict=True):
                result = self._cast_result(
                    next(outcomes) if command is not None else answer, span)
                response.results.append(result)
            return response

        return await self._handle("CastBallots", _batch_tenant(request), context, call)

    def _cast_result(
        self, answer: CastOutcome | Exception | None, span: trace.Span
    ) -> voting_pb2.CastBallotsResult:
        """One item's answer: the CastBallotResponse, or what CastBallot's error carries."""
        if isinstance(answer, CastOutcome):
            if not answer.replayed:
                self.metrics.ballots_cast.labels(answer.method.value).inc()
            ok = voting_pb2.CastBallotResponse(
                ballot_id=answer.ballot_id, replayed=answer.replayed,
                ballots_cast=answer.ballots_cast)
            set_timestamp(ok.accepted_at, answer.accepted_at)
            code = grpc.StatusCode.OK
            result = voting_pb2.CastBallotsResult(cast=ok)
        else:
            if isinstance(answer, VotingError):
                code, reason = STATUS_CODES[answer.reason], answer.reason.value
                message = answer.message
            else:
                log.error("grpc.cast_failed", rpc="CastBallots", exc_info=answer)
                code, reason = grpc.StatusCode.INTERNAL, "INTERNAL"
                message = "Interner Fehler im Abstimmungsdienst."
            result = voting_pb2.CastBallotsResult(refusal=voting_pb2.CastRefusal(
                code=code.value[0], reason=reason, message=message))
            span.set_status(trace.StatusCode.ERROR, reason)
        span.set_attribute("rpc.grpc.status_code", code.value[0])
        span.end()
        self.metrics.grpc_requests.labels("CastBallots.item", code.name).inc()
        return result

    async def ClosePoll(
        self, request: voting_pb2.ClosePollRequest, context: grpc.aio.ServicerContext
    ) -> voting_pb2.Poll:
        """Close and tally a poll (repeated closes answer the closed poll)."""

        async def call() -> voting_pb2.Poll:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            closed_by = check_id("closed_by", request.closed_by, required=False)
            view, closed_now = await service.close_poll(
                db=self.db, signer=self.signer, tenant=tenant, poll_id=poll_id, closed_by=closed_by
            )
            if closed_now and view.result is not None:
                outcome = "accepted" if view.result.accepted else "rejected"
                self.metrics.polls_closed.labels(outcome).inc()
            return poll_to_proto(view)

        return await self._handle("ClosePoll", request.tenant, context, call)

    async def GetPoll(
        self, request: voting_pb2.GetPollRequest, context: grpc.aio.ServicerContext
    ) -> voting_pb2.Poll:
        """Read a poll; choices only once closed."""

        async def call() -> voting_pb2.Poll:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            return poll_to_proto(
                await service.get_poll(db=self.db, tenant=tenant, poll_id=poll_id)
            )

        return await self._handle("GetPoll", request.tenant, context, call)
