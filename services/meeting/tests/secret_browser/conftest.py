"""Secret ballots encrypted in headless Chromium by the web app's ballot modules.

The modules in services/meeting/frontend/src/ballot are served as they are from a local HTTP
server on 127.0.0.1 (a secure context, so WebCrypto is there) and imported by the page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from ratsraum_devstack import chromium
from ratsraum_devstack.static_server import serve_directory

FRONTEND_SRC = Path(__file__).resolve().parents[2] / "frontend" / "src"

# The tests run voting in ElectionGuard's small test group, which the page refuses unless
# told otherwise (allowTestGroup); the production group needs no such flag.
_ENCRYPT = """async ([manifestJson, contextJson, optionId, allowTestGroup]) => {
  const ballot = await import("/ballot/index.js");
  return await ballot.encryptChoice({ manifestJson, contextJson, optionId, allowTestGroup });
}"""

_ENCRYPT_WITH = """async ([manifestJson, contextJson, optionId, ballotId, masterNonce]) => {
  const { prepareElection } = await import("/ballot/election.js");
  const { encryptBallotWith } = await import("/ballot/encrypt.js");
  const { submittedBallotJson } = await import("/ballot/serialize.js");
  const election = await prepareElection({ manifestJson, contextJson, allowTestGroup: true });
  const ballot = await encryptBallotWith(
    election, { optionId, ballotId, masterNonce: BigInt(masterNonce) });
  return submittedBallotJson(ballot);
}"""

_ENCRYPT_IN_WORKER = """async ([manifestJson, contextJson, optionId]) => {
  const { startBallotWorker } = await import("/ballot/worker_client.js");
  const worker = startBallotWorker("/ballot/worker.js");
  try {
    const allowTestGroup = true;
    await worker.prepare({ manifestJson, contextJson, allowTestGroup });
    return await worker.encryptChoice({ manifestJson, contextJson, optionId, allowTestGroup });
  } finally {
    worker.terminate();
  }
}"""


@pytest.fixture(scope="session")
def frontend_origin() -> Iterator[str]:
    """The frontend sources, served as they are on a free local port."""
    with serve_directory(FRONTEND_SRC) as origin:
        yield origin


class BrowserBallots:
    """Ballots made by the ballot modules in a Chromium page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def encrypt(self, manifest_json: str, context_json: str, option_id: str, *,
                      allow_test_group: bool = True) -> dict[str, str]:
        """encryptChoice in the page: {"ballotJson": ..., "confirmationCode": ...}."""
        return dict(await self.page.evaluate(
            _ENCRYPT, [manifest_json, context_json, option_id, allow_test_group]))

    async def encrypt_with(self, manifest_json: str, context_json: str, option_id: str, *,
                           ballot_id: str, master_nonce: int) -> str:
        """The ballot JSON for a given ballot id and master nonce (deterministic)."""
        return str(await self.page.evaluate(
            _ENCRYPT_WITH,
            [manifest_json, context_json, option_id, ballot_id, str(master_nonce)]))

    async def encrypt_in_worker(self, manifest_json: str, context_json: str,
                                option_id: str) -> dict[str, str]:
        """encryptChoice through worker.js in a module Web Worker."""
        return dict(await self.page.evaluate(
            _ENCRYPT_IN_WORKER, [manifest_json, context_json, option_id]))


@pytest.fixture
async def browser_ballots(frontend_origin: str) -> AsyncIterator[BrowserBallots]:
    """A headless Chromium page on the served frontend, ready to encrypt ballots."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium.executable(), args=list(chromium.LAUNCH_ARGS))
        try:
            page = await browser.new_page()
            await page.goto(f"{frontend_origin}/")
            yield BrowserBallots(page)
        finally:
            await browser.close()


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Browser-made ballots do not depend on meeting's database kind: SQLite only."""
    return sqlite_url
