"""Real meeting, real portal, real NATS: master data made in Ratsraum and data imported from the
town's RIS reach the portal's OParl alike, through events only, and nothing private travels."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from ratsraum_common import demo
from ratsraum_common.auth import TokenVerifier
from ratsraum_devstack.oparl_check import OParlClient
from ratsraum_devstack.ports import free_port


@contextlib.asynccontextmanager
async def _running(app: Any) -> AsyncIterator[Any]:
    async with app.router.lifespan_context(app):
        yield app


def _meeting(data: Path, database_url: str, nats_url: str) -> Any:
    from ratsraum_meeting.config import Settings
    from ratsraum_meeting.main import build_app

    settings = Settings(data_dir=data, database_url=database_url, nats_url=nats_url,
                        seed_demo=True, grpc_port=0, voting_target=f"127.0.0.1:{free_port()}")
    return build_app(settings, token_verifier=TokenVerifier(issuer="-", audience="-",
                                                            jwks_url="-"))


def _portal(data: Path, database_url: str, nats_url: str) -> Any:
    from ratsraum_portal.config import Settings
    from ratsraum_portal.main import build_app

    return build_app(Settings(data_dir=data, database_url=database_url, nats_url=nats_url,
                              meeting_grpc_target=f"127.0.0.1:{free_port()}",
                              consumer_durable=f"portal-{free_port()}"))


async def _papers(client: httpx.AsyncClient, want: int) -> list[dict[str, Any]]:
    for _ in range(300):
        page = await client.get(f"/oparl/v1/{demo.TENANT}/papers")
        if page.status_code == 200 and len(page.json()["data"]) >= want:
            data: list[dict[str, Any]] = page.json()["data"]
            return data
        await asyncio.sleep(0.05)
    raise AssertionError("the papers never reached the portal")


async def test_imported_and_hand_made_papers_look_alike_and_private_data_stays(
    tmp_path: Path, database_url: str, own_nats_url: str
) -> None:
    from ratsraum_meeting.masterdata.models import Paper
    from ratsraum_meeting.meetings.models import AgendaItem

    meeting = _meeting(tmp_path, database_url, own_nats_url)
    portal = _portal(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'portal.sqlite3'}",
                     own_nats_url)
    async with _running(meeting), _running(portal), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=portal), base_url="http://portal") as client:
        public = [i for i in demo.AGENDA if i.public]
        closed = next(i for i in demo.AGENDA if not i.public)
        async with meeting.state.db.transaction(demo.TENANT) as session:
            session.add_all([
                Paper(id="aus-dem-ris", name="Haushaltssatzung 2026", reference="V/2025/200",
                      oparl_id="https://ris.example.de/oparl/paper/200"),
                Paper(id="in-ratsraum", name="Antrag Sitzbänke", reference="A/2025/7"),
                Paper(id="nichtoeffentlich", name="Personalangelegenheit", reference="N/1"),
            ])
            for item_number, paper in ((public[0].number, "aus-dem-ris"),
                                       (public[1].number, "in-ratsraum"),
                                       (closed.number, "nichtoeffentlich")):
                row = (await session.scalars(select(AgendaItem).where(
                    AgendaItem.number == item_number))).one()
                row.paper_id = paper

        papers = await _papers(client, 2)
        assert {p["reference"] for p in papers} == {"V/2025/200", "A/2025/7"}
        imported, made = sorted(papers, key=lambda p: p["reference"], reverse=True)
        assert set(imported) == set(made)  # same shape, wherever the paper came from
        assert imported["consultation"][0]["meeting"].endswith(f"/meetings/{demo.MEETING_ID}")
        assert "Personalangelegenheit" not in (await client.get(
            f"/oparl/v1/{demo.TENANT}/consultations")).text

        # The whole town as OParl, crawled: schemas, the spec's rules, back-references.
        oparl = OParlClient(client, portal.state.portal.settings.public_base_url)
        meeting_url = f"/oparl/v1/{demo.TENANT}/meetings/{demo.MEETING_ID}"
        for _ in range(300):
            if (await client.get(meeting_url)).status_code == 200:
                break
            await asyncio.sleep(0.05)
        body = await oparl.get(f"{oparl.base}/oparl/v1/bodies/{demo.TENANT}")
        objects = await oparl.crawl_body(body, ("organization", "person", "meeting", "paper",
                                                "agendaItem", "consultation", "locationList",
                                                "membership"))
        await oparl.check_references(objects)
        held = objects[f"{oparl.base}{meeting_url}"]
        assert held["location"]["description"] == demo.LOCATION
        (organization,) = held["organization"]
        assert held["id"] in [m["id"] for m in await oparl.crawl(
            objects[organization]["meeting"])]

        persons = (await client.get(f"/oparl/v1/{demo.TENANT}/persons")).json()["data"]
        members = {p.name for p in demo.PEOPLE if p.is_member}
        assert members <= {p["name"] for p in persons}
        assert all("email" not in p for p in persons)
        every = (await client.get(f"/oparl/v1/{demo.TENANT}/persons")).text
        assert not any(p.email in every for p in demo.PEOPLE)
