"""The ballot modules' building blocks in node 20 against ElectionGuard's Python originals:
hash_elems on every kind of element, and both exponentiation routines against Python's pow.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from electionguard.constants import STANDARD_CONSTANTS
from electionguard.group import ElementModP, ElementModQ
from electionguard.hash import hash_elems

BALLOT_DIR = Path(__file__).resolve().parents[2] / "frontend" / "src" / "ballot"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

_SCRIPT = """
const [dir, input] = [process.argv[1], JSON.parse(process.argv[2])];
const { STANDARD_GROUP, TEST_GROUP, FixedBase, modPow, fromHex, toHex, randomBelowQ } =
  await import(`${dir}/group.js`);
const { hashElems } = await import(`${dir}/hash.js`);
const g = STANDARD_GROUP;
const base = fromHex(input.base);
const table = new FixedBase(base, g.p, 256);
const draws = Array.from({ length: 200 }, () => randomBelowQ(TEST_GROUP));
console.log(JSON.stringify({
  hashes: [
    toHex(await hashElems(g)),
    toHex(await hashElems(g, "Ratsraum", 0, 42, null, [], "")),
    toHex(await hashElems(g, fromHex(input.q), fromHex(input.p), ["ja", 7, [fromHex(input.q)]])),
  ],
  fixed: input.exponents.map((e) => toHex(table.pow(fromHex(e)))),
  plain: input.exponents.map((e) => toHex(modPow(base, fromHex(e), g.p))),
  draws: draws.map((d) => d.toString()),
}));
"""


def test_hashing_and_exponentiation_match_electionguard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRIME_OPTION", raising=False)  # the 4096-bit group
    p, q = int(STANDARD_CONSTANTS.large_prime), int(STANDARD_CONSTANTS.small_prime)
    base = pow(int(STANDARD_CONSTANTS.generator), secrets.randbelow(q), p)
    exponents = [0, 1, 15, 16, q - 1, *(secrets.randbelow(q) for _ in range(5))]
    element_q, element_p = ElementModQ(secrets.randbelow(q)), ElementModP(base)
    given = {"base": format(base, "X"), "exponents": [format(e, "X") for e in exponents],
             "q": element_q.to_hex(), "p": element_p.to_hex()}
    assert NODE is not None
    ran = subprocess.run(
        [NODE, "--input-type=module", "-e", _SCRIPT, str(BALLOT_DIR), json.dumps(given)],
        capture_output=True, text=True, check=True, timeout=60)
    out = json.loads(ran.stdout)

    assert out["hashes"] == [
        hash_elems().to_hex(),
        hash_elems("Ratsraum", 0, 42, None, [], "").to_hex(),
        hash_elems(element_q, element_p, ["ja", 7, [element_q]]).to_hex(),
    ]
    expected = [ElementModP(pow(base, e, p)).to_hex() for e in exponents]
    assert out["fixed"] == expected
    assert out["plain"] == expected
    draws = [int(d) for d in out["draws"]]
    assert all(0 <= d < 0xFFF1 for d in draws)
    assert len(set(draws)) > 150  # 200 draws from 65,521 values: repeats are rare
