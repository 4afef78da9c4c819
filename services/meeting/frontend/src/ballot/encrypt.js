// Encrypting one choice as an ElectionGuard 1.x ballot, deterministically from a master
// nonce: every selection (options and placeholders) is an exponential ElGamal encryption of 0
// or 1 with its disjunctive proof; the contest carries the constant proof that exactly
// `number_elected` is selected, and the encrypted contest record. Nonces are derived from
// the master nonce as ElectionGuard derives them and are never part of the result.

import { encryptContestData } from "./extended_data.js";
import { hashElems, nonceAt, nonceSequence } from "./hash.js";
import { constantProof, disjunctiveProof } from "./proofs.js";

/** Raised when a derived selection nonce is zero; the caller draws a fresh master nonce. */
export class ZeroNonce extends Error {}

async function encryptSelection(election, selection, vote, contestNonce) {
  const { group, gPow, kPow } = election;
  const sequence = await nonceSequence(group, selection.descriptionHash, contestNonce);
  const r = await nonceAt(group, sequence, selection.sequenceOrder);
  if (r === 0n) throw new ZeroNonce("a selection nonce is zero");
  const proofSeed = await nonceAt(group, sequence, 0);
  const pad = gPow(r);
  const data = vote ? (kPow(r) * group.g) % group.p : kPow(r);
  const ciphertext = { pad, data };
  const proof = await disjunctiveProof(election, ciphertext, r, proofSeed, vote);
  const cryptoHash = await hashElems(
    group, selection.objectId, selection.descriptionHash, await hashElems(group, pad, data),
  );
  return { selection, ciphertext, cryptoHash, proof, r };
}

/**
 * The ballot for `optionId` (a plain object of BigInts; see serialize.js) and its code.
 * Only for this module's callers and tests: encryptChoice draws the master nonce itself.
 */
export async function encryptBallotWith(election, { optionId, ballotId, masterNonce }) {
  const { group, layout, manifestHash } = election;
  const { p, q } = group;
  if (!layout.optionIds.includes(optionId)) {
    throw new RangeError(`option ${JSON.stringify(optionId)} is not on this ballot`);
  }
  const contest = layout.contest;
  const nonceSeed = await hashElems(group, manifestHash, ballotId, masterNonce);
  const contestSequence = await nonceSequence(group, contest.descriptionHash, nonceSeed);
  const contestNonce = await nonceAt(group, contestSequence, contest.sequenceOrder);
  const constantSeed = await nonceAt(group, contestSequence, 0);

  const selections = [];
  let selected = 1; // the chosen option; placeholders fill the rest up to number_elected
  for (const selection of layout.selections) {
    let vote = 0;
    if (!selection.isPlaceholder) {
      vote = selection.objectId === optionId ? 1 : 0;
    } else if (selected < contest.numberElected) {
      vote = 1;
      selected += 1;
    }
    selections.push(await encryptSelection(election, selection, vote, contestNonce));
  }

  let accumulatedPad = 1n;
  let accumulatedData = 1n;
  let aggregateNonce = 0n;
  for (const s of selections) {
    accumulatedPad = (accumulatedPad * s.ciphertext.pad) % p;
    accumulatedData = (accumulatedData * s.ciphertext.data) % p;
    aggregateNonce = (aggregateNonce + s.r) % q;
  }
  const accumulation = { pad: accumulatedPad, data: accumulatedData };
  const proof = await constantProof(
    election, accumulation, aggregateNonce, constantSeed, contest.numberElected,
  );
  const byOrder = [...selections].sort(
    (x, y) => x.selection.sequenceOrder - y.selection.sequenceOrder,
  );
  const contestHash = await hashElems(
    group, contest.objectId, contest.descriptionHash, ...byOrder.map((s) => s.cryptoHash),
  );
  const extendedNonce = await nonceAt(
    group, await nonceSequence(group, contestNonce, "constant-extended-data"), 0,
  );
  const extendedData = await encryptContestData(election, extendedNonce);

  const cryptoHash = await hashElems(group, ballotId, manifestHash, contestHash);
  const timestamp = 0; // the same on every ballot: the time of voting is not on it
  const code = await hashElems(group, manifestHash, timestamp, cryptoHash);
  return {
    objectId: ballotId,
    styleId: layout.styleId,
    manifestHash,
    codeSeed: manifestHash,
    contest: {
      objectId: contest.objectId,
      sequenceOrder: contest.sequenceOrder,
      descriptionHash: contest.descriptionHash,
      selections: selections.map(({ selection, ciphertext, cryptoHash: hash, proof: sp }) => ({
        objectId: selection.objectId,
        sequenceOrder: selection.sequenceOrder,
        descriptionHash: selection.descriptionHash,
        isPlaceholder: selection.isPlaceholder,
        ciphertext,
        cryptoHash: hash,
        proof: sp,
      })),
      accumulation,
      cryptoHash: contestHash,
      proof,
      extendedData,
    },
    code,
    timestamp,
    cryptoHash,
  };
}
