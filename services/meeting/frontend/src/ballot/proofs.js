// ElectionGuard 1.x zero-knowledge proofs a ballot carries, made the way ElectionGuard makes
// them (same nonce derivation, same challenge hashes), on precomputed powers of g and K.

import { hashElems, nonceAt, nonceSequence } from "./hash.js";
import { mod } from "./group.js";

/**
 * The disjunctive Chaum-Pedersen proof that (pad, data) encrypts 0 or 1 with nonce r.
 * `election` supplies group, gPow, kPow and the extended base hash.
 */
export async function disjunctiveProof(election, { pad, data }, r, seed, vote) {
  const { group, gPow, kPow, extendedBaseHash } = election;
  const { p, q } = group;
  const sequence = await nonceSequence(group, seed, "disjoint-chaum-pedersen-proof");
  const first = await nonceAt(group, sequence, 0);
  const second = await nonceAt(group, sequence, 1);
  const third = await nonceAt(group, sequence, 2);
  let a0, b0, a1, b1, c, c0, c1, v0, v1;
  if (vote === 0) {
    // Real proof for 0, simulated proof for 1 with challenge c1 = first.
    const [fakeChallenge, fakeResponse, u0] = [first, second, third];
    a0 = gPow(u0);
    b0 = kPow(u0);
    a1 = gPow(fakeResponse);
    b1 = (kPow(fakeResponse) * gPow(fakeChallenge)) % p;
    c = await hashElems(group, extendedBaseHash, pad, data, a0, b0, a1, b1);
    c1 = fakeChallenge;
    c0 = mod(c - c1, q);
    v0 = mod(u0 + c0 * r, q);
    v1 = mod(fakeResponse + c1 * r, q);
  } else if (vote === 1) {
    // Simulated proof for 0 (challenge -w), real proof for 1.
    const [w, fakeResponse, u1] = [first, second, third];
    a0 = gPow(fakeResponse);
    b0 = (kPow(fakeResponse) * gPow(w)) % p;
    a1 = gPow(u1);
    b1 = kPow(u1);
    c = await hashElems(group, extendedBaseHash, pad, data, a0, b0, a1, b1);
    c0 = mod(q - w, q);
    c1 = mod(c + w, q);
    v0 = mod(fakeResponse + c0 * r, q);
    v1 = mod(u1 + c1 * r, q);
  } else {
    throw new RangeError("a selection encrypts 0 or 1");
  }
  return { a0, b0, a1, b1, c0, c1, c, v0, v1 };
}

/**
 * The constant Chaum-Pedersen proof that the product (pad, data) of a contest's selections
 * encrypts `constant` (the number elected) with the aggregate nonce r.
 */
export async function constantProof(election, { pad, data }, r, seed, constant) {
  const { group, gPow, kPow, extendedBaseHash } = election;
  const u = await nonceAt(group, await nonceSequence(group, seed, "constant-chaum-pedersen-proof"), 0);
  const a = gPow(u);
  const b = kPow(u);
  const c = await hashElems(group, extendedBaseHash, pad, data, a, b);
  const v = mod(u + c * r, group.q);
  return { a, b, c, v, constant };
}
