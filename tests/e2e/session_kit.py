"""What the whole-session browser tests share: a stack whose town uses a fake BigBlueButton
(the video provider is the true external border), and the steps members and clerk take."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack, StackConfig
from ratsraum_meeting.video.fakes.bbb import FakeBigBlueButton
from ratsraum_meeting.video.fakes.server import serve

from .browser import DESKTOP, api, signed_in_page

BBB_SECRET_ENV = "RATSRAUM_VIDEO_SOEST_BBB"
BBB_SECRET = "e2e-bbb-shared-secret"

ITEMS = {i.key: i for i in demo.AGENDA}
IN_ROOM = ["Stefan Wagner", "Sabine Krause", "Jörg Neumann"]  # the chair is in the room too
HEX_CODE = re.compile(r"^[0-9A-F]{16,}$")
URGENT = "Wahl des Vorsitzes der Arbeitsgruppe Digitalisierung"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole system; meeting knows the video provider's secret (named by the admin)."""
    data: Path = tmp_path_factory.mktemp("ratsraum-session")
    config = StackConfig.on_free_ports(data, extra_env={BBB_SECRET_ENV: BBB_SECRET})
    with Stack(config) as running:
        yield running


@pytest.fixture
async def video_provider() -> AsyncIterator[str]:
    """A BigBlueButton stand-in: the video provider is the one outside border we fake."""

    async def deliver(_url: str, _headers: dict[str, str], _body: bytes) -> int:
        return 204

    async with serve(FakeBigBlueButton(secret=BBB_SECRET, deliver=deliver).app) as base:
        yield f"{base}/bigbluebutton"


async def configure_video(browser: Browser, app: str, base_url: str, password: str) -> None:
    """The town's admin names the town's video provider (setup, through meeting's API)."""
    admin = await signed_in_page(browser, DESKTOP, f"{app}/sitzungen", "lange", password)
    await api(admin, "PUT", "/video/config", {
        "provider": "bbb", "options": {"base_url": base_url},
        "secret_env": {"secret": BBB_SECRET_ENV}})
    await admin.context.close()


def label(key: str) -> str:
    """An agenda item as the console's item choice names it."""
    return f"{ITEMS[key].number} {ITEMS[key].title}"


async def ask_for_the_lobby(member: Page, meeting: str) -> None:
    """The member opens the join page and chooses to take part by video."""
    await member.goto(meeting)
    await member.get_by_role("link", name="Teilnehmen").click()
    await member.get_by_role("button", name="Zum Warteraum").click()
    await expect(member.get_by_role("heading", name="Sie sind im Warteraum")).to_be_visible()


async def open_vote(clerk: Page, item: str, method: str) -> None:
    """The clerk opens a vote on an item from the console's vote tab."""
    await clerk.get_by_role("link", name="Abstimmungen", exact=True).click()
    await clerk.locator("#vote-item").select_option(label=label(item))
    await clerk.get_by_label(method, exact=True).check()
    await clerk.get_by_role("button", name="Abstimmung eröffnen").first.click()
    await expect(clerk.get_by_text("Die Abstimmung ist eröffnet.")).to_be_visible()


async def taken_to_the_vote(member: Page) -> None:
    """The vote that just opened has taken the member's screen (its options are showing)."""
    await expect(member.locator("[data-vote-form], [data-secret-options]")).to_be_visible()


async def vote(member: Page, choice: str) -> None:
    """The member's screen has been taken by the vote: one tap, confirmed on screen."""
    await taken_to_the_vote(member)
    await member.get_by_role("button", name=choice, exact=True).click()
    await expect(member.locator("[data-vote-confirmed]")).to_contain_text(f"Ihre Stimme: {choice}")


async def close_vote(clerk: Page) -> None:
    """The clerk closes the running vote."""
    await clerk.locator("#rr-r-open-votes").get_by_role(
        "button", name="Abstimmung schließen").click()
    await expect(clerk.get_by_text("Die Abstimmung ist geschlossen.")).to_be_visible(timeout=30000)
