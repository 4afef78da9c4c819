"""The data layer keeps towns apart: a session sees and writes only its own tenant's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ratsraum_common.db import Database, TenantScoped, TenantScopeError


class Base(DeclarativeBase):
    pass


class Motion(TenantScoped, Base):
    __tablename__ = "motions"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))


@pytest.fixture
async def db(database_url: str):
    database = Database(database_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with database.transaction("soest") as s:
        s.add(Motion(id=1, title="WLAN in der Innenstadt"))
    async with database.transaction("werl") as s:
        s.add(Motion(id=2, title="Radweg Hammer Straße"))
    yield database
    await database.dispose()


async def test_select_sees_only_own_town(db: Database) -> None:
    async with db.tenant_session("soest") as s:
        titles = (await s.scalars(select(Motion.title))).all()
    assert titles == ["WLAN in der Innenstadt"]


async def test_get_by_primary_key_of_other_town_finds_nothing(db: Database) -> None:
    async with db.tenant_session("soest") as s:
        assert await s.get(Motion, 2) is None
        assert (await s.get(Motion, 1)) is not None


async def test_bulk_update_cannot_reach_other_town(db: Database) -> None:
    async with db.transaction("soest") as s:
        await s.execute(update(Motion).values(title="geändert"))
    async with db.tenant_session("werl") as s:
        assert (await s.scalars(select(Motion.title))).all() == ["Radweg Hammer Straße"]


async def test_new_rows_get_the_session_tenant(db: Database) -> None:
    async with db.transaction("werl") as s:
        s.add(Motion(id=3, title="Neu"))
    async with db.tenant_session("werl") as s:
        row = await s.get(Motion, 3)
    assert row is not None
    assert row.tenant_id == "werl"


async def test_writing_a_row_of_another_town_is_refused(db: Database) -> None:
    with pytest.raises(TenantScopeError):
        async with db.transaction("soest") as s:
            s.add(Motion(id=4, title="Fremd", tenant_id="werl"))
    async with db.system_session() as s:
        assert await s.get(Motion, 4) is None


async def test_query_without_tenant_is_refused(db: Database) -> None:
    async with db._sessions() as s:  # a session nobody scoped
        with pytest.raises(TenantScopeError):
            await s.scalars(select(Motion))


async def test_system_session_sees_all_towns(db: Database) -> None:
    async with db.system_session() as s:
        assert len((await s.scalars(select(Motion))).all()) == 2


def test_malformed_tenant_is_refused() -> None:
    from ratsraum_common.db import validate_tenant

    for bad in ["", "Soest", "so est", "a", "soest.x", "*", ">"]:
        with pytest.raises(ValueError, match="invalid tenant"):
            validate_tenant(bad)


class Account(Base):
    """A row of no town (like identity's users), joined to town rows."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Seat(TenantScoped, Base):
    __tablename__ = "seats"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))


@pytest.fixture
async def seats(db: Database) -> Database:
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with db.system_session() as s:
        s.add_all([Account(id=1, name="Anna in Soest"), Account(id=2, name="Bernd in Werl")])
        await s.commit()
    async with db.transaction("soest") as s:
        s.add(Seat(id=1, account_id=1))
    async with db.transaction("werl") as s:
        s.add(Seat(id=2, account_id=2))
    return db


async def test_a_join_to_town_rows_sees_only_own_town(seats: Database) -> None:
    # Selecting only a column of a town-less table must not lift the town's scope on the join.
    async with seats.tenant_session("soest") as s:
        names = (await s.scalars(select(Account.name).join(Seat, Seat.account_id == Account.id))
                 ).all()
    assert names == ["Anna in Soest"]


async def test_a_subquery_on_town_rows_sees_only_own_town(seats: Database) -> None:
    async with seats.tenant_session("soest") as s:
        names = (await s.scalars(select(Account.name).where(
            Account.id.in_(select(Seat.account_id))))).all()
    assert names == ["Anna in Soest"]


async def test_a_join_to_town_rows_without_tenant_is_refused(seats: Database) -> None:
    async with seats._sessions() as s:
        with pytest.raises(TenantScopeError):
            await s.scalars(select(Account.name).join(Seat, Seat.account_id == Account.id))
