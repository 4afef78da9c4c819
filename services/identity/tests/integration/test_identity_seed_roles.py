"""Seeded towns hold their committee roles in the body, also after an older seed."""

from __future__ import annotations

from sqlalchemy import select

from ratsraum_common import demo
from ratsraum_identity.accounts.models import TenantRole
from ratsraum_identity.accounts.seed import seed_demo
from ratsraum_identity.accounts.service import grant_roles
from ratsraum_identity.api.deps import Identity
from ratsraum_identity.members.models import BodyRole

BODY = demo.body_id_for(demo.TENANT, demo.BODY_SHORT)
CHAIR = next(p for p in demo.PEOPLE if "chair" in p.roles)
ADMIN = next(p for p in demo.PEOPLE if "admin" in p.roles)


async def test_an_older_town_wide_seed_moves_into_the_body(app, tmp_path) -> None:
    """A database seeded with town-wide chair/member gets them as roles in the committee."""
    ident: Identity = app.state.identity
    await seed_demo(ident.db, data_dir=tmp_path, passwords=ident.passwords)
    # What the seed used to give: every role in the whole town.
    await grant_roles(ident.db, tenant=demo.TENANT, user_id=CHAIR.subject,
                      roles=list(CHAIR.roles))
    await seed_demo(ident.db, data_dir=tmp_path, passwords=ident.passwords)
    async with ident.db.transaction(demo.TENANT) as session:
        town = set((await session.scalars(select(TenantRole.role).where(
            TenantRole.user_id == CHAIR.subject))).all())
        body = {(b, r) for b, r in (await session.execute(select(
            BodyRole.body_id, BodyRole.role).where(BodyRole.user_id == CHAIR.subject))).all()}
        admin = set((await session.scalars(select(TenantRole.role).where(
            TenantRole.user_id == ADMIN.subject))).all())
    assert town == set()
    assert body == {(BODY, role) for role in CHAIR.roles}
    assert "admin" in admin
