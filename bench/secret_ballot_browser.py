"""Encrypting one secret ballot in headless Chromium, CPU throttled 4x (a mid-range phone).

The web app's ballot modules (services/meeting/frontend/src/ballot) encrypt a yes/no/abstain
ballot in ElectionGuard's production 4096-bit group on the page's main thread. Each round
reloads the page, so the first ballot ("cold") also builds the fixed-base tables for g and the
election key, as when a member taps at once after the vote opens; a second ballot on the same
page ("warm") shows the cost once the tables exist (the app builds them when the vote opens).
The first and last ballots are checked with voting's own cast check.
Ends with: bench: kind=secret_ballot_browser throttle=4 median_ms=… p95_ms=… warm_median_ms=…
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from electionguard.election import make_ciphertext_election_context
from electionguard.elgamal import elgamal_keypair_random
from electionguard.group import TWO_MOD_Q
from playwright.sync_api import sync_playwright
from ratsraum_ballot_client import Election, build_manifest

from ratsraum_devstack import chromium
from ratsraum_devstack.static_server import serve_directory
from ratsraum_voting.secret.casting import check_ballot

FRONTEND_SRC = Path(__file__).resolve().parents[1] / "services" / "meeting" / "frontend" / "src"
OPTIONS = [("yes", "Ja"), ("no", "Nein"), ("abstain", "Enthaltung")]

_TIMED = """async ([manifestJson, contextJson, optionId]) => {
  const { encryptChoice } = await import("/ballot/index.js");
  const started = performance.now();
  const made = await encryptChoice({ manifestJson, contextJson, optionId });
  return { ms: performance.now() - started, ballotJson: made.ballotJson };
}"""


def production_election() -> Election:
    """A one-guardian election in the 4096-bit group (the key's origin does not matter)."""
    os.environ.pop("PRIME_OPTION", None)
    manifest = build_manifest(poll_id="bench-browser", title="TOP 1", options=OPTIONS)
    draft = Election(manifest=manifest, context=None)  # type: ignore[arg-type]
    context = make_ciphertext_election_context(
        1, 1, elgamal_keypair_random().public_key, TWO_MOD_Q, draft.internal.manifest_hash)
    return Election(manifest=manifest, context=context)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=10, help="rounds (page loads)")
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slow-down factor")
    args = parser.parse_args()
    election = production_election()
    manifest_json, context_json = election.manifest_json(), election.context_json()
    cold: list[float] = []
    warm: list[float] = []
    made: list[str] = []
    with serve_directory(FRONTEND_SRC) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium.executable(),
                                             args=list(chromium.LAUNCH_ARGS))
        try:
            page = browser.new_page()
            cdp = page.context.new_cdp_session(page)
            for round_no in range(args.ballots):
                page.goto(f"{origin}/")  # a fresh page: no tables yet
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
                option = OPTIONS[round_no % len(OPTIONS)][0]
                first = page.evaluate(_TIMED, [manifest_json, context_json, option])
                second = page.evaluate(_TIMED, [manifest_json, context_json, option])
                cold.append(float(first["ms"]))
                warm.append(float(second["ms"]))
                made += [first["ballotJson"], second["ballotJson"]]
                print(f"round {round_no + 1}: cold {cold[-1]:.0f} ms, warm {warm[-1]:.0f} ms")
        finally:
            browser.close()
    for ballot_json in (made[0], made[-1]):
        check_ballot(election=election, ballot_json=ballot_json)  # raises if refused
    median, p95 = statistics.median(cold), percentile(cold, 0.95)
    warm_median = statistics.median(warm)
    print(f"cold (tables + ballot): median {median:.0f} ms, p95 {p95:.0f} ms over {len(cold)}")
    print(f"warm (ballot only):     median {warm_median:.0f} ms, p95 "
          f"{percentile(warm, 0.95):.0f} ms")
    print(f"bench: kind=secret_ballot_browser throttle={args.throttle:g} median_ms={median:.0f} "
          f"p95_ms={p95:.0f} warm_median_ms={warm_median:.0f} ballots={len(cold)}")


if __name__ == "__main__":
    main()
