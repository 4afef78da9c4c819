"""A secret poll's published record streamed from voting into a ZIP, file by file.

A record carries every encrypted ballot with its proofs (a few MB from a few hundred ballots
on); neither voting's reply nor meeting's answer ever holds all of it at once.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc

from ratsraum.voting.v1 import secret_pb2
from ratsraum_common.logging import get_logger
from ratsraum_meeting.polls.voting_call import (
    TRANSIENT,
    VotingUnavailable,
    refused_by_rpc,
)

log = get_logger(__name__)
RECORD_SECONDS = 300.0  # the whole stream; a record of hundreds of ballots takes seconds


@dataclass(frozen=True)
class RecordStream:
    """The record's SHA-256 (known before any file) and its files still to come."""

    sha256: str
    files: AsyncIterator[tuple[str, bytes]]


async def open_record(stub: Any, *, tenant: str, poll_id: str) -> RecordStream:
    """Start voting's stream; its refusal or outage surfaces here, before any byte is sent."""
    call = stub.StreamSecretRecord(
        secret_pb2.GetSecretRecordRequest(tenant=tenant, poll_id=poll_id),
        timeout=RECORD_SECONDS)
    try:
        head = await call.read()
    except grpc.aio.AioRpcError as exc:
        if exc.code() in TRANSIENT:
            raise VotingUnavailable("StreamSecretRecord") from exc
        raise refused_by_rpc(exc) from exc
    if head is grpc.aio.EOF or head.WhichOneof("part") != "sha256":
        call.cancel()
        raise VotingUnavailable("StreamSecretRecord")
    return RecordStream(sha256=head.sha256, files=_files(call))


async def _files(call: Any) -> AsyncIterator[tuple[str, bytes]]:
    try:
        while (part := await call.read()) is not grpc.aio.EOF:
            yield part.file.path, part.file.content
    finally:
        call.cancel()  # a reader who went away ends voting's side too


class _Chunks(io.RawIOBase):
    """A write-only, unseekable sink the ZIP writer fills and the response empties."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        """What was written since the last call."""
        taken, self._parts = b"".join(self._parts), []
        return taken


async def zip_chunks(files: AsyncIterator[tuple[str, bytes]]) -> AsyncIterator[bytes]:
    """The files as a ZIP, yielded as each file is compressed (ZIP data descriptors)."""
    sink = _Chunks()
    try:
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            async for path, content in files:
                archive.writestr(path, content)
                yield sink.take()
        yield sink.take()  # the central directory
    except Exception:
        # The answer has begun: the reader gets a cut-off ZIP, which no unzip accepts.
        log.exception("secret_record.stream_failed")
        raise
