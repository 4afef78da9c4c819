"""The secret record's ZIP leaves meeting file by file, never built whole in memory."""

from __future__ import annotations

import io
import itertools
import os
import zipfile
from collections.abc import AsyncIterator

from ratsraum_meeting.polls.record_stream import zip_chunks


async def test_each_file_is_sent_before_the_next_is_read() -> None:
    contents = {f"submitted_ballots/submitted_ballot_{n}.json": os.urandom(20_000)
                for n in range(5)}
    read: list[str] = []
    sent_before_read: list[int] = []
    sent = 0

    async def files() -> AsyncIterator[tuple[str, bytes]]:
        for path, content in contents.items():
            read.append(path)
            sent_before_read.append(sent)
            yield path, content

    chunks = []
    async for chunk in zip_chunks(files()):
        chunks.append(chunk)
        sent += len(chunk)
    # Before file n+1 is read, file n has been compressed and handed on (random bytes do not
    # compress, so each step hands on at least the file's size).
    assert all(b - a >= 20_000 for a, b in itertools.pairwise(sent_before_read))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert {name: archive.read(name) for name in archive.namelist()} == contents
