"""GuardianService over gRPC: one guardian's store behind a port, with its own key folder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from multiprocessing.dummy import Pool as ThreadPool
from typing import TypeVar

import grpc
from electionguard import scheduler
from electionguard.ballot import SubmittedBallot
from electionguard.key_ceremony import (
    ElectionPartialKeyBackup,
    ElectionPartialKeyVerification,
    ElectionPublicKey,
)
from electionguard.serialize import from_raw, to_raw
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from ratsraum_ballot_client import Election

from ratsraum.voting.v1 import secret_pb2, secret_pb2_grpc
from ratsraum_common.grpctls import MutualTls, add_port
from ratsraum_common.grpcutil import error_status
from ratsraum_common.logging import get_logger
from ratsraum_voting.guardian.closing import ClosingStatement
from ratsraum_voting.guardian.store import GuardianRefusal, GuardianStore

GUARDIAN_SERVICE = "ratsraum.voting.v1.GuardianService"
ERROR_DOMAIN = "guardian.ratsraum.de"
# A tally request carries every cast ballot with its proofs (about 20 KB each, 4096-bit).
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
log = get_logger(__name__)
T = TypeVar("T")


def use_thread_pools() -> None:
    """Make ElectionGuard's Scheduler use threads instead of forked processes.

    Forking a process that runs gRPC threads can crash the child (and did, in decryption);
    the gRPC processes of voting and of the guardians therefore compute in threads.
    """
    setattr(scheduler, "ProcessPool", ThreadPool)  # noqa: B010 (module global)


class GuardianServicer(secret_pb2_grpc.GuardianServiceServicer):  # type: ignore[misc]
    """Translates GuardianService calls to the store; crypto runs off the event loop."""

    def __init__(self, *, store: GuardianStore) -> None:
        self.store = store

    async def _run(self, context: grpc.aio.ServicerContext, work: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(work)
        except GuardianRefusal as exc:
            status = error_status(grpc.StatusCode.FAILED_PRECONDITION, "GUARDIAN_REFUSED",
                                  str(exc), domain=ERROR_DOMAIN)
        except Exception:
            log.exception("guardian.failed", guardian=self.store.guardian_id)
            status = error_status(grpc.StatusCode.INTERNAL, "INTERNAL",
                                  "Interner Fehler beim Guardian.", domain=ERROR_DOMAIN)
        await context.abort_with_status(status)
        raise AssertionError("abort_with_status returned")

    async def Announce(
        self, request: secret_pb2.AnnounceRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.AnnounceResponse:
        """Create (or repeat) this guardian's key pair for the ceremony."""
        key = await self._run(context, lambda: self.store.announce(
            ceremony_id=request.ceremony_id, guardians=request.guardians,
            quorum=request.quorum))
        return secret_pb2.AnnounceResponse(key_json=to_raw(key))

    async def ShareBackups(
        self, request: secret_pb2.ShareBackupsRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.ShareBackupsResponse:
        """Take the public keys; answer encrypted backups of this guardian's share."""
        keys = [from_raw(ElectionPublicKey, k) for k in request.keys_json]
        backups = await self._run(context, lambda: self.store.share_backups(
            ceremony_id=request.ceremony_id, keys=keys))
        return secret_pb2.ShareBackupsResponse(backups_json=[to_raw(b) for b in backups])

    async def VerifyBackups(
        self, request: secret_pb2.VerifyBackupsRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.VerifyBackupsResponse:
        """Verify the backups addressed to this guardian."""
        backups = [from_raw(ElectionPartialKeyBackup, b) for b in request.backups_json]
        verifications = await self._run(context, lambda: self.store.verify_backups(
            ceremony_id=request.ceremony_id, backups=backups))
        return secret_pb2.VerifyBackupsResponse(
            verifications_json=[to_raw(v) for v in verifications])

    async def Finish(
        self, request: secret_pb2.FinishRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.FinishResponse:
        """Take the verifications of our backups; answer the joint key."""
        verifications = [from_raw(ElectionPartialKeyVerification, v)
                         for v in request.verifications_json]
        joint = await self._run(context, lambda: self.store.finish(
            ceremony_id=request.ceremony_id, verifications=verifications))
        return secret_pb2.FinishResponse(joint_key_hex=joint.to_hex())

    async def DecryptTally(
        self, request: secret_pb2.DecryptTallyRequest, context: grpc.aio.ServicerContext
    ) -> secret_pb2.DecryptTallyResponse:
        """Partially decrypt the sum of a closed poll's ballots, computed here (once)."""

        def work() -> secret_pb2.DecryptTallyResponse:
            if request.tally_json or request.ballot_codes:
                raise GuardianRefusal("der Guardian entschlüsselt nur die Summe, die er selbst "
                                      "aus den Stimmzetteln bildet")
            election = Election.from_json(manifest_json=request.manifest_json,
                                          context_json=request.context_json)
            ballots = [from_raw(SubmittedBallot, b) for b in request.ballots_json]
            shares = self.store.decrypt_tally(
                ceremony_id=request.ceremony_id, election=election, ballots=ballots,
                missing=list(request.missing), closing=ClosingStatement(
                    request.closing_json, request.closing_signature))
            return secret_pb2.DecryptTallyResponse(
                share_json=to_raw(shares.share),
                compensated_json={k: to_raw(v) for k, v in shares.compensated.items()})

        return await self._run(context, work)


async def start_guardian_server(
    *, store: GuardianStore, host: str, port: int, tls: MutualTls | None = None
) -> tuple[grpc.aio.Server, int]:
    """Serve one guardian (with the health service) on host:port; returns (server, port).

    With `tls` only clients holding a certificate of the same CA (voting) get through.
    """
    use_thread_pools()
    server = grpc.aio.server(options=GRPC_OPTIONS)
    secret_pb2_grpc.add_GuardianServiceServicer_to_server(GuardianServicer(store=store), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    bound = add_port(server, f"{host}:{port}", tls)
    if bound == 0:
        raise OSError(f"cannot bind the guardian to {host}:{port}")
    await server.start()
    for name in (GUARDIAN_SERVICE, ""):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, bound


async def serve_forever(
    *, store: GuardianStore, host: str, port: int, tls: MutualTls | None = None
) -> None:
    """Start the guardian and serve until it is terminated."""
    server, bound = await start_guardian_server(store=store, host=host, port=port, tls=tls)
    log.info("guardian.started", guardian=store.guardian_id, address=f"{host}:{bound}",
             min_ballots=store.min_ballots, checks_closing=bool(store.voting_public_key))
    if not store.voting_public_key:
        log.warning("guardian.unpinned", guardian=store.guardian_id,
                    hint="--voting-public-key not set: decrypts without voting's signed close")
    print(f"guardian {store.guardian_id} listening on {host}:{bound}", flush=True)
    await server.wait_for_termination()
