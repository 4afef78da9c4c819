// ElectionGuard 1.x hashing (`hash_elems`) and nonce sequences, on WebCrypto's SHA-256.
//
// hash_elems feeds SHA-256 with "|" followed by each element's text and "|": group elements
// (BigInt here) as ElectionGuard hex, integers (JS numbers) in decimal, strings as they are,
// null or an empty list as "null", and a non-empty list as the hex of its own hash. The
// digest, read as a big-endian number, is reduced mod q.

import { toHex } from "./group.js";

const encoder = new TextEncoder();

async function sha256Hex(text) {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

async function elementText(group, item) {
  if (typeof item === "bigint") return toHex(item);
  if (typeof item === "string") return item;
  if (typeof item === "number") {
    if (!Number.isSafeInteger(item)) throw new TypeError(`not an integer: ${item}`);
    return String(item);
  }
  if (item === null || item === undefined) return "null";
  if (Array.isArray(item)) {
    return item.length === 0 ? "null" : toHex(await hashElems(group, ...item));
  }
  throw new TypeError(`cannot hash a ${typeof item}`);
}

/** ElectionGuard's `hash_elems(*items)` in the given group: an element of [0, q). */
export async function hashElems(group, ...items) {
  let text = "|";
  for (const item of items) text += `${await elementText(group, item)}|`;
  return BigInt(`0x${await sha256Hex(text)}`) % group.q;
}

/** ElectionGuard's `Nonces(seed, *headers)`: answers the sequence's seed. */
export async function nonceSequence(group, seed, ...headers) {
  return headers.length ? hashElems(group, seed, ...headers) : seed;
}

/** Element `index` of a nonce sequence made by `nonceSequence`. */
export async function nonceAt(group, sequence, index) {
  return hashElems(group, sequence, index);
}
