// Secret ballots encrypted on the voter's device: ElectionGuard 1.x ballots with the proofs
// that the voting service checks at cast, from native BigInt and WebCrypto only.
//
//   const { ballotJson, confirmationCode } =
//     await encryptChoice({ manifestJson, contextJson, optionId: "yes" });
//
// manifestJson and contextJson are what `GET /api/v1/polls/{id}/secret` answers; ballotJson
// goes to `POST /api/v1/polls/{id}/secret-ballots` as {"ballot_json": ballotJson}. The
// nonces are drawn here from the device's CSPRNG and never leave this function.

import { encryptBallotWith, ZeroNonce } from "./encrypt.js";
import { prepareElection } from "./election.js";
import { randomBelowQ, toHex } from "./group.js";
import { submittedBallotJson } from "./serialize.js";

export { prepareElection };

// A derived selection nonce is zero with probability about 1/q per selection: never in the
// standard group, now and then in the small test group. A fresh master nonce fixes it.
const ATTEMPTS = 8;

function randomUuid() {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Encrypt a vote for `optionId`: answers the SubmittedBallot JSON to send and the
 * confirmation code (upper-case hex) to show the voter. `allowTestGroup` is for tests only
 * (see prepareElection).
 */
export async function encryptChoice({ manifestJson, contextJson, optionId, allowTestGroup }) {
  const election = await prepareElection({ manifestJson, contextJson, allowTestGroup });
  if (!election.layout.optionIds.includes(optionId)) {
    throw new RangeError(`option ${JSON.stringify(optionId)} is not on this ballot`);
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    try {
      const ballot = await encryptBallotWith(election, {
        optionId, ballotId: randomUuid(), masterNonce: randomBelowQ(election.group),
      });
      return { ballotJson: submittedBallotJson(ballot), confirmationCode: toHex(ballot.code) };
    } catch (error) {
      if (!(error instanceof ZeroNonce)) throw error;
    }
  }
  throw new Error("could not draw usable nonces; please try again");
}
