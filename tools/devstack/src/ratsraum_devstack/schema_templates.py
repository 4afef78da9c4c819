"""Test databases that start with a service's schema, migrated once per session and copied.

Running a service's Alembic chain takes about a second per test on this hardware, for the
same result every time. `SchemaTemplates.fill` migrates a template once per (database server,
migrations folder) and then copies it into each test's fresh, empty database: SQLite by its
backup API, PostgreSQL by `CREATE DATABASE ... TEMPLATE`. The service still runs its
migrations at start-up (now a no-op at head); tests of the migrations themselves keep using an
empty `database_url`.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from ratsraum_common.db import Database


class SchemaTemplates:
    """Migrated template databases of one test session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def fill(self, database_url: str, migrations: Path) -> None:
        """Give the fresh, empty database at `database_url` the schema of `migrations` at head."""
        url = make_url(database_url)
        # Alembic and asyncpg need an event loop of their own (the caller may be inside one).
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(asyncio.run, self._fill(url, Path(migrations).resolve())).result()

    async def _fill(self, url: URL, migrations: Path) -> None:
        tag = hashlib.sha256(str(migrations).encode()).hexdigest()[:12]
        if url.get_backend_name() == "sqlite":
            template = self.folder / f"{tag}.sqlite3"
            await self._ensure(("sqlite", tag), url.set(database=str(template)), migrations)
            _copy_sqlite(template, Path(str(url.database)))
            return
        name = f"template_{tag}"
        server = f"{url.host}:{url.port}"
        await self._ensure(("postgresql", f"{server}/{tag}"), url.set(database=name), migrations,
                           create=True)
        # Renamed, not dropped: DROP DATABASE waits for a checkpoint, which costs more than
        # the migrations it would save; the throwaway cluster goes at the session's end anyway.
        await _admin(url, f'ALTER DATABASE "{url.database}" RENAME TO "{url.database}_empty"',
                     f'CREATE DATABASE "{url.database}" TEMPLATE "{name}"')

    async def _ensure(self, key: tuple[str, str], template: URL, migrations: Path, *,
                      create: bool = False) -> None:
        with self._lock:  # one test at a time in practice; the lock only makes it certain
            if key in self._made:
                return
            if create:
                await _admin(template, f'CREATE DATABASE "{template.database}"')
            db = Database(template.render_as_string(hide_password=False))
            try:
                await db.migrate(migrations)
            finally:
                await db.dispose()  # a PostgreSQL template must have no open connections
            self._made.add(key)


def _copy_sqlite(template: Path, target: Path) -> None:
    """Copy a SQLite database into a file that does not exist yet."""
    if target.exists():
        raise FileExistsError(f"{target} is not a fresh database")
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


async def _admin(url: URL, *statements: str) -> None:
    """Run statements on the server's `postgres` database (outside a transaction)."""
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()
