"""Backup and restore of a running stack: each database, the key files and the event stream.

The procedure is docs/reliability.md ("Backup and restore"); these functions are what the
restore test (`backup_check.py`, `make backup-test`) runs, and what an operator's script does
with the real tools:

- SQLite: SQLite's online backup API (a consistent copy while the service writes);
- PostgreSQL: `pg_dump --format=custom` and `pg_restore --no-owner` into an empty database;
- the JetStream stream: every stored message with its headers (Nats-Msg-Id included), written
  as JSON lines and published again into the new server; consumers skip what they processed;
- key files: voting's audit key, identity's signing keys and TOTP key (copied as files).
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from nats.js.errors import NotFoundError

from ratsraum_common.nats import STREAM, connect, ensure_stream

DATABASES = ("identity", "meeting", "voting", "portal")
# Files in the data folder without which a restored system cannot go on: the key that signs
# audit chains (records must verify with the published key), identity's token signing keys
# (sessions stay valid) and its TOTP encryption key (second factors stay readable).
KEY_FILES = ("voting-audit-ed25519.pem", "identity-totp.key", "identity-keys")
STREAM_FILE = "stream.jsonl"


def backup_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), page by page."""
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as live, \
            closing(sqlite3.connect(target)) as copy:
        live.backup(copy)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL (postgresql+asyncpg://) as pg_dump and pg_restore read it."""
    return "postgresql://" + url.split("://", 1)[1]


def backup_postgres(bin_dir: Path, url: str, target: Path) -> None:
    """pg_dump in custom format (compressed, restorable table by table)."""
    subprocess.run([str(bin_dir / "pg_dump"), "--format=custom", "--file", str(target),  # noqa: S603
                    libpq_url(url)], check=True, capture_output=True)


def restore_postgres(bin_dir: Path, dump: Path, url: str) -> None:
    """pg_restore into an empty database (objects owned by the connecting role)."""
    subprocess.run([str(bin_dir / "pg_restore"), "--no-owner", "--no-privileges",  # noqa: S603
                    "--exit-on-error", "--dbname", libpq_url(url), str(dump)],
                   check=True, capture_output=True)


def backup_files(data_dir: Path, target: Path) -> list[str]:
    """Copy the key files that exist; returns their names."""
    copied = []
    for name in KEY_FILES:
        source = data_dir / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
        else:
            continue
        copied.append(name)
    return copied


def restore_files(backup: Path, data_dir: Path) -> None:
    """Put the key files back into a fresh data folder (before the services start)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in KEY_FILES:
        source = backup / name
        if source.is_dir():
            shutil.copytree(source, data_dir / name)
        elif source.exists():
            shutil.copy2(source, data_dir / name)


async def backup_stream(nats_url: str, target: Path) -> int:
    """Every message stored in the event stream as a JSON line; returns how many."""
    nc = await connect(nats_url, name="ratsraum-backup")
    try:
        js = nc.jetstream()
        state = (await js.stream_info(STREAM)).state
        written = 0
        with target.open("w", encoding="utf-8") as out:
            for seq in range(state.first_seq, state.last_seq + 1):
                try:
                    msg = await js.get_msg(STREAM, seq)
                except NotFoundError:
                    continue  # removed by the stream's limits
                out.write(json.dumps({
                    "subject": msg.subject, "headers": dict(msg.headers or {}),
                    "data": base64.b64encode(msg.data or b"").decode()}) + "\n")
                written += 1
        return written
    finally:
        await nc.close()


async def restore_stream(nats_url: str, source: Path) -> int:
    """Publish the saved messages into a new server's stream, in order; returns how many."""
    nc = await connect(nats_url, name="ratsraum-restore")
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        restored = 0
        with source.open(encoding="utf-8") as saved:
            for line in saved:
                message = json.loads(line)
                await js.publish(message["subject"], base64.b64decode(message["data"]),
                                 headers=message["headers"] or None)
                restored += 1
        return restored
    finally:
        await nc.close()
