// A contest's `extended_data`: ElectionGuard's hashed ElGamal encryption of the contest's
// error and write-in record, with HMAC-SHA-256 from WebCrypto as its key stream and MAC.
//
// A Ratsraum ballot selects exactly one option, so the record is always "no error, no
// write-ins"; it is encrypted like every ElectionGuard contest so the ballot has the same
// shape as one from the Python client.

import { hashElems } from "./hash.js";
import { hexBytes, toHex } from "./group.js";

const CONTEST_DATA = '{"error": null, "error_data": null, "write_ins": null}';
const PADDED_SIZE = 512; // ElectionGuard's DataSize.Bytes_512
const BLOCK = 32;

function padded(text) {
  // Two big-endian bytes saying how much padding follows, the message, then zero bytes.
  const message = new TextEncoder().encode(text);
  const paddingLength = PADDED_SIZE - 2 - message.length;
  const out = new Uint8Array(PADDED_SIZE);
  out[0] = paddingLength >> 8;
  out[1] = paddingLength & 0xff;
  out.set(message, 2);
  return out;
}

function littleEndian32(value) {
  return new Uint8Array([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24]);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function hmac(key, message) {
  const imported = await globalThis.crypto.subtle.importKey(
    "raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"],
  );
  return new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", imported, message));
}

function bytesToHex(bytes) {
  // ElectionGuard writes these byte strings through an integer: leading zero bytes vanish.
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return toHex(value);
}

/** ElectionGuard's `hashed_elgamal_encrypt` of the contest record with the given nonce. */
export async function encryptContestData(election, nonce) {
  const { group, gPow, kPow, extendedBaseHash } = election;
  const pad = gPow(nonce);
  const sessionKey = hexBytes(await hashElems(group, pad, kPow(nonce)));
  const seed = hexBytes(extendedBaseHash);
  const message = padded(CONTEST_DATA);
  const bitLength = littleEndian32(message.length * 8);
  const data = new Uint8Array(message.length);
  for (let block = 0; block * BLOCK < message.length; block += 1) {
    const key = await hmac(sessionKey, concat(littleEndian32(block + 1), seed, bitLength));
    for (let i = 0; i < BLOCK; i += 1) {
      data[block * BLOCK + i] = message[block * BLOCK + i] ^ key[i];
    }
  }
  const macKey = await hmac(sessionKey, concat(littleEndian32(0), seed, bitLength));
  const mac = await hmac(macKey, concat(hexBytes(pad), data));
  return { pad, data: bytesToHex(data), mac: bytesToHex(mac) };
}
