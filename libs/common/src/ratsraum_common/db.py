"""Async SQLAlchemy engine, sessions bound to one tenant, and migrations.

Every model that belongs to a town inherits `TenantScoped`. A session opened with
`Database.tenant_session(tenant)` adds `tenant_id = :tenant` to every ORM query touching such a
model, and refuses to flush a row of another tenant; a session opened without a tenant refuses
to query tenant rows at all unless it is explicitly a system session (relay, seeding).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import String, Table, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

TENANT_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
_TENANT_KEY = "tenant_id"
_SYSTEM_KEY = "system"


class TenantScopeError(RuntimeError):
    """A query or write that is not scoped to exactly one tenant."""


def validate_tenant(tenant: str) -> str:
    """Return the tenant slug if well-formed (also a valid NATS subject token)."""
    if not TENANT_PATTERN.match(tenant):
        raise ValueError(f"invalid tenant id {tenant!r}: lowercase letters, digits, hyphens")
    return tenant


class TenantScoped:
    """Mixin for rows that belong to one town."""

    tenant_id: Mapped[str] = mapped_column(String(63), index=True)


def _tenant_tables() -> set[Table]:
    """The tables of every model that belongs to a town (mapped so far)."""
    found: set[Table] = set()
    todo = list(TenantScoped.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        table = getattr(cls, "__table__", None)
        if isinstance(table, Table):
            found.add(table)
    return found


def _involves_tenant_rows(state: ORMExecuteState) -> bool:
    # Not only the selected entities (`state.all_mappers`): a query selecting a column of a
    # town-less table may join or filter on town rows, and those need the town's scope too.
    if any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
        return True
    statement = state.statement
    if not isinstance(statement, ClauseElement):
        return False
    used = find_tables(statement, include_joins=True, include_selects=True, include_crud=True)
    return not _tenant_tables().isdisjoint(used)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not _involves_tenant_rows(state):
        return
    info = state.session.info
    tenant = info.get(_TENANT_KEY)
    if tenant is None:
        if info.get(_SYSTEM_KEY):
            return
        raise TenantScopeError("query on tenant rows in a session without a tenant")
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant,
            include_aliases=True,
            track_closure_variables=False,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session: Session, _ctx: Any, _instances: Any) -> None:
    tenant = session.info.get(_TENANT_KEY)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if tenant is None:
            if session.info.get(_SYSTEM_KEY) and obj.tenant_id:
                continue
            raise TenantScopeError(f"{type(obj).__name__} written without a tenant")
        if obj.tenant_id is None:
            obj.tenant_id = tenant
        elif obj.tenant_id != tenant:
            raise TenantScopeError(
                f"{type(obj).__name__} of tenant {obj.tenant_id!r} in a session of {tenant!r}"
            )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """One engine and session factory for a service's own database."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": not self.is_sqlite}
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite allows one writer; serialising writers in-process avoids lock retries.
        self.write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def tenant_session(self, tenant: str) -> AsyncIterator[AsyncSession]:
        """A session that sees and writes only this tenant's rows."""
        async with self._sessions() as session:
            session.info[_TENANT_KEY] = validate_tenant(tenant)
            yield session

    @asynccontextmanager
    async def system_session(self) -> AsyncIterator[AsyncSession]:
        """A cross-tenant session for system work (outbox relay, seeding, backfill)."""
        async with self._sessions() as session:
            session.info[_SYSTEM_KEY] = True
            yield session

    @asynccontextmanager
    async def transaction(self, tenant: str | None) -> AsyncIterator[AsyncSession]:
        """One committed unit of work for a tenant (or a system session when None).

        Commits on normal exit, rolls back on error. On SQLite, writers in this process take
        turns, because a read that later upgrades to a write fails when another writer won.
        """
        opener = self.tenant_session(tenant) if tenant is not None else self.system_session()
        if self.write_lock is None:
            async with opener as session, session.begin():
                yield session
            return
        async with self.write_lock, opener as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raise if the database is unreachable (readiness check)."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def migrate(self, script_location: str | Path) -> None:
        """Bring the schema to the newest Alembic revisions (serialised across processes)."""
        from alembic import command
        from alembic.config import Config

        def upgrade(connection: Connection) -> None:
            if connection.dialect.name == "postgresql":
                # Two replicas starting together must not both run the same migration.
                connection.execute(text("SELECT pg_advisory_xact_lock(7263012)"))
            config = Config()
            config.set_main_option("script_location", str(script_location))
            config.attributes["connection"] = connection
            # "heads": independent branches (a feature's own tables) may coexist.
            command.upgrade(config, "heads")

        async with self.engine.begin() as conn:
            await conn.run_sync(upgrade)

    async def dispose(self) -> None:
        """Close all pooled connections."""
        await self.engine.dispose()


def run_alembic_env(target_metadata: Any) -> None:
    """The body of every service's migrations/env.py.

    At runtime `Database.migrate` hands in a live connection; from the alembic CLI (for
    `alembic revision --autogenerate`) the URL comes from `sqlalchemy.url` or DATABASE_URL.
    """
    import os

    from alembic import context

    config = context.config

    def run_with(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            await conn.run_sync(run_with)
            await conn.commit()
        await engine.dispose()

    asyncio.run(online())
