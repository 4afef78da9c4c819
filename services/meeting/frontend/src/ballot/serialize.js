// The JSON of an ElectionGuard `SubmittedBallot` (state UNKNOWN, every nonce null), written
// exactly as the Python client writes it (`json.dumps` with its default separators and
// ASCII escapes), so that the same ballot gives the same bytes on either side.

import { toHex } from "./group.js";

const BALLOT_STATE_UNKNOWN = 999;
const SELECTION_PROOF_USAGE = "Prove selection's value (0 or 1)";
const CONTEST_PROOF_USAGE = "Prove value within selection's limit";

function pythonString(text) {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function write(value) {
  if (value === null) return "null";
  if (typeof value === "bigint") return pythonString(toHex(value));
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(write).join(", ")}]`;
  // Objects are written as [key, value] pairs so that the field order is explicit.
  throw new TypeError(`cannot write a ${typeof value}`);
}

function object(pairs) {
  return `{${pairs.map(([key, value]) => `${pythonString(key)}: ${value}`).join(", ")}}`;
}

function ciphertext({ pad, data }) {
  return object([["pad", write(pad)], ["data", write(data)]]);
}

function selection(s) {
  const { proof } = s;
  return object([
    ["object_id", write(s.objectId)],
    ["sequence_order", write(s.sequenceOrder)],
    ["description_hash", write(s.descriptionHash)],
    ["ciphertext", ciphertext(s.ciphertext)],
    ["crypto_hash", write(s.cryptoHash)],
    ["is_placeholder_selection", write(s.isPlaceholder)],
    ["nonce", "null"],
    ["proof", object([
      ["proof_zero_pad", write(proof.a0)],
      ["proof_zero_data", write(proof.b0)],
      ["proof_one_pad", write(proof.a1)],
      ["proof_one_data", write(proof.b1)],
      ["proof_zero_challenge", write(proof.c0)],
      ["proof_one_challenge", write(proof.c1)],
      ["challenge", write(proof.c)],
      ["proof_zero_response", write(proof.v0)],
      ["proof_one_response", write(proof.v1)],
      ["usage", write(SELECTION_PROOF_USAGE)],
    ])],
  ]);
}

function contest(c) {
  return object([
    ["object_id", write(c.objectId)],
    ["sequence_order", write(c.sequenceOrder)],
    ["description_hash", write(c.descriptionHash)],
    ["ballot_selections", `[${c.selections.map(selection).join(", ")}]`],
    ["ciphertext_accumulation", ciphertext(c.accumulation)],
    ["crypto_hash", write(c.cryptoHash)],
    ["nonce", "null"],
    ["proof", object([
      ["pad", write(c.proof.a)],
      ["data", write(c.proof.b)],
      ["challenge", write(c.proof.c)],
      ["response", write(c.proof.v)],
      ["constant", write(c.proof.constant)],
      ["usage", write(CONTEST_PROOF_USAGE)],
    ])],
    ["extended_data", object([
      ["pad", write(c.extendedData.pad)],
      ["data", write(c.extendedData.data)],
      ["mac", write(c.extendedData.mac)],
    ])],
  ]);
}

/** The nonce-free SubmittedBallot JSON text of a ballot made by encryptBallotWith. */
export function submittedBallotJson(ballot) {
  return object([
    ["object_id", write(ballot.objectId)],
    ["style_id", write(ballot.styleId)],
    ["manifest_hash", write(ballot.manifestHash)],
    ["code_seed", write(ballot.codeSeed)],
    ["contests", `[${contest(ballot.contest)}]`],
    ["code", write(ballot.code)],
    ["timestamp", write(ballot.timestamp)],
    ["crypto_hash", write(ballot.cryptoHash)],
    ["nonce", "null"],
    ["state", write(BALLOT_STATE_UNKNOWN)],
  ]);
}
