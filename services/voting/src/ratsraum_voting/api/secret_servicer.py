"""SecretBallotService: thin gRPC handlers around ratsraum_voting.secret.service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

import grpc

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc, voting_pb2
from ratsraum_common.db import Database
from ratsraum_common.grpcutil import error_status
from ratsraum_common.logging import get_logger
from ratsraum_voting.api.secret_lifecycle import SecretLifecycleRpcs
from ratsraum_voting.api.status import ERROR_DOMAIN, STATUS_CODES
from ratsraum_voting.audit.keys import AuditSigner
from ratsraum_voting.config import Settings
from ratsraum_voting.errors import VotingError, invalid
from ratsraum_voting.guardian.server import use_thread_pools
from ratsraum_voting.polls.schemas import check_id, check_poll_id, check_tenant
from ratsraum_voting.polls.wire import RULES_FROM_WIRE
from ratsraum_voting.secret import published, service
from ratsraum_voting.secret.closing import close_secret_poll
from ratsraum_voting.secret.record import SUMS_FILE
from ratsraum_voting.secret.remote import GuardianAddress, parse_guardians
from ratsraum_voting.secret.wire import poll_to_proto, result_to_proto

SECRET_SERVICE_NAME = "ratsraum.voting.v1.SecretBallotService"  # noqa: S105 (a name)
MAX_BALLOT_JSON = 1_000_000
log = get_logger(__name__)
T = TypeVar("T")


class SecretBallotServicer(SecretLifecycleRpcs,
                           secret_pb2_grpc.SecretBallotServiceServicer):  # type: ignore[misc]
    """Secret polls over gRPC; guardians from VOTING_GUARDIANS, records in the database."""

    def __init__(
        self, *, db: Database, guardians: Sequence[GuardianAddress], signer: AuditSigner,
        min_ballots: int,
    ) -> None:
        self.db = db
        self.guardians = list(guardians)
        self.signer = signer
        self.min_ballots = min_ballots

    async def _handle(self, context: grpc.aio.ServicerContext,
                      call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except VotingError as exc:
            status = error_status(STATUS_CODES[exc.reason], exc.reason.value, exc.message,
                                  domain=ERROR_DOMAIN)
        except Exception:
            log.exception("secret.failed")
            status = error_status(grpc.StatusCode.INTERNAL, "INTERNAL",
                                  "Interner Fehler im Abstimmungsdienst.", domain=ERROR_DOMAIN)
        await context.abort_with_status(status)
        raise AssertionError("abort_with_status returned")

    async def _described(self, tenant: str, poll_id: str) -> secret_pb2.SecretPoll:
        async with self.db.tenant_session(tenant) as session:
            poll = await service.load(session, poll_id)
            return poll_to_proto(poll, roll_size=await service.roll_size_of(session, poll),
                                 voted=await service.voted_of(session, poll))

    async def OpenSecretPoll(
        self, request: secret_pb2.OpenSecretPollRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.SecretPoll:
        """Run the key ceremony and open the poll; answers manifest and context."""

        async def call() -> secret_pb2.SecretPoll:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            if request.majority_rule not in RULES_FROM_WIRE:
                raise invalid("majority_rule", "Mehrheitsregel angeben.")
            kind = "election" if request.kind == voting_pb2.POLL_KIND_ELECTION else "motion"
            if len(set(request.roll)) < self.min_ballots:  # could never be counted in secret
                raise invalid("roll", f"eine geheime Abstimmung braucht mindestens "
                              f"{self.min_ballots} Stimmberechtigte, sonst verriete das "
                              "Ergebnis, wer wie gestimmt hat.")
            poll = await service.open_secret_poll(db=self.db, guardians=self.guardians,
                                                  spec=service.SecretSpec(
                tenant=tenant, poll_id=poll_id,
                meeting_id=check_id("meeting_id", request.meeting_id),
                title=request.title.strip()[:500] or "Geheime Abstimmung",
                options=[(o.id, o.label) for o in request.options],
                rule=RULES_FROM_WIRE[request.majority_rule], roll=list(request.roll),
                statutory_members=request.statutory_members or None,
                agenda_item_id=check_id("agenda_item_id", request.agenda_item_id,
                                        required=False),
                public=request.public, kind=kind,
            ))
            return await self._described(tenant, poll.poll_id)

        return await self._handle(context, call)

    async def GetSecretPoll(
        self, request: secret_pb2.GetSecretPollRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.SecretPoll:
        """The poll's manifest, context and state."""

        async def call() -> secret_pb2.SecretPoll:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            return await self._described(tenant, poll_id)

        return await self._handle(context, call)

    async def CastSecretBallot(
        self, request: secret_pb2.CastSecretBallotRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.CastSecretBallotResponse:
        """Accept an encrypted ballot after checking its proofs; answer its code."""

        async def call() -> secret_pb2.CastSecretBallotResponse:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            voter = check_id("voter_id", request.voter_id)
            if not request.ballot_json or len(request.ballot_json) > MAX_BALLOT_JSON:
                raise invalid("ballot_json", "verschlüsselten Stimmzettel mitsenden.")
            outcome = await service.cast_secret_ballot(
                db=self.db, tenant=tenant, poll_id=poll_id, voter_id=voter,
                ballot_json=request.ballot_json)
            return secret_pb2.CastSecretBallotResponse(
                confirmation_code=outcome.code, replayed=outcome.replayed,
                ballots_cast=outcome.ballots_cast)

        return await self._handle(context, call)

    async def CloseSecretPoll(
        self, request: secret_pb2.CloseSecretPollRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.SecretResult:
        """Close, tally, decrypt with a guardian quorum; answers the result and record hash."""

        async def call() -> secret_pb2.SecretResult:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            closed = await close_secret_poll(
                db=self.db, guardians=self.guardians, signer=self.signer, tenant=tenant,
                poll_id=poll_id, min_ballots=self.min_ballots,
                closed_by=check_id("closed_by", request.closed_by, required=False))
            return result_to_proto(closed.poll, voted=closed.voted)

        return await self._handle(context, call)

    async def StreamSecretRecord(
        self, request: secret_pb2.GetSecretRecordRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[secret_pb2.SecretRecordPart]:
        """The record's SHA-256, then its files one by one (each checked against SHA256SUMS)."""

        async def head() -> tuple[str, str, dict[str, str]]:
            tenant, poll_id = check_tenant(request.tenant), check_poll_id(request.poll_id)
            async with self.db.tenant_session(tenant) as session:
                poll = await service.load(session, poll_id)
                return tenant, poll.id, await published.checked_sums(session, poll=poll)

        tenant, poll_pk, sums = await self._handle(context, head)
        yield secret_pb2.SecretRecordPart(sha256=sums[SUMS_FILE])
        files = published.files_in_order(self.db, tenant=tenant, poll_pk=poll_pk, sums=sums)
        while True:
            item = await self._handle(context, lambda: anext(files, None))
            if item is None:
                return
            yield secret_pb2.SecretRecordPart(
                file=secret_pb2.RecordFile(path=item[0], content=item[1]))


def register_secret_service(
    server: grpc.aio.Server, *, db: Database, settings: Settings, signer: AuditSigner
) -> None:
    """Add SecretBallotService to voting's gRPC server (guardians from VOTING_GUARDIANS)."""
    use_thread_pools()
    servicer = SecretBallotServicer(db=db, guardians=parse_guardians(
                                        settings.guardians, tls=settings.guardian_tls()),
                                    signer=signer, min_ballots=settings.secret_min_ballots)
    secret_pb2_grpc.add_SecretBallotServiceServicer_to_server(servicer, server)
