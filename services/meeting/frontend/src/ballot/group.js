// The ElectionGuard 1.x groups and modular arithmetic on native BigInt.
//
// Everything here works on plain BigInt values: elements mod p (the 4096-bit prime) and
// mod q (the 256-bit subgroup order). Hex strings follow ElectionGuard's form (upper case,
// an even number of digits) so that hashes and JSON match the Python implementation.

const STANDARD_P = [
  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF93C467E37DB0C7A4D1BE3F81",
  "0152CB56A1CECC3AF65CC0190C03DF34709AFFBD8E4B59FA03A9F0EED0649CCB621057D11056AE9132135A08",
  "E43B4673D74BAFEA58DEB878CC86D733DBE7BF38154B36CF8A96D1567899AAAE0C09D4C8B6B7B86FD2A1EA1D",
  "E62FF8643EC7C271827977225E6AC2F0BD61C746961542A3CE3BEA5DB54FE70E63E6D09F8FC28658E80567A4",
  "7CFDE60EE741E5D85A7BD46931CED8220365594964B839896FCAABCCC9B31959C083F22AD3EE591C32FAB2C7",
  "448F2A057DB2DB49EE52E0182741E53865F004CC8E704B7C5C40BF304C4D8C4F13EDF6047C555302D2238D8C",
  "E11DF2424F1B66C2C5D238D0744DB679AF2890487031F9C0AEA1C4BB6FE9554EE528FDF1B05E5B256223B2F0",
  "9215F3719F9C7CCC69DDF172D0D6234217FCC0037F18B93EF5389130B7A661E5C26E54214068BBCAFEA32A67",
  "818BD3075AD1F5C7E9CC3D1737FB28171BAF84DBB6612B7881C1A48E439CD03A92BF52225A2B38E6542E9F72",
  "2BCE15A381B5753EA842763381CCAE83512B30511B32E5E8D80362149AD030AABA5F3A5798BB22AA7EC1B6D0",
  "F17903F4E22D840734AA85973F79A93FFB82A75C47C03D43D2F9CA02D03199BACEDDD4533A52566AFFFFFFFF",
  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
].join("");

const STANDARD_G = [
  "1D41E49C477E15EAEEF0C5E4AC08D4A46C268CD3424FC01D13769BDB43673218587BC86C4C1448D006A03699",
  "F3ABAE5FEB19E296F5D143CC5E4A3FC89088C9F4523D166EE3AE9D5FB03C0BDD77ADD5C017F6C55E2EC92C22",
  "6FEF5C6C1DF2E7C36D90E7EAADE098241D3409983BCCD2B5379E9391FBC62F9F8D939D1208B160367C134264",
  "122189595EC85C8CDBE5F9D307F46912C04932F8C16815A76B4682BD6BDC0ED52B00D8D30F59C731D5A7FFAE",
  "8165D53CF96649AAC2B743DA56F14F19DACC5236F29B1AB9F9BEFC69697293D5DEAD8B5BF5DE9BAB6DE67C45",
  "719E56344A3CBDF3609824B1B578E34EAEB6DD3190AB3571D6D671C512282C1DA7BD36B4251D2584FADEA80B",
  "9E141423074DD9B5FB83ACBDEAD4C87A58FFF517F977A83080370A3B0CF98A1BC2978C47AAC29611FD6C40E2",
  "F9875C35D50443A9AA3F49611DCD3A0D6FF3CB3FACF31471BDB61860B92C594D4E46569BB39FEEADFF1FD64C",
  "836A6D6DB85C6BA7241766B7AB56BF739633B054147F7170921412E948D9E47402D15BB1C257318612C121C3",
  "6B80EB8433C08E7D0B7149E3AB0A8735A92EDCE8FF943E28A2DCEACFCC69EC318909CB047BE1C5858844B5AD",
  "44F22EEB289E4CC554F7A5E2F3DEA026877FF92851816071CE028EB868D965CCB2D2295A8C55BD1C070B39B0",
  "9AE06B37D29343B9D8997DC244C468B980970731736EE018BBADB987",
].join("");

const HEX = /^[0-9A-Fa-f]+$/;

// ElectionGuard's standard group (spec 1.x): q = 2^256 - 189, g generates the order-q subgroup.
export const STANDARD_GROUP = makeGroup({
  name: "standard",
  p: STANDARD_P,
  q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF43",
  g: STANDARD_G,
});

// ElectionGuard's small test group (PRIME_OPTION=TestOnly): only for tests, never secret.
export const TEST_GROUP = makeGroup({
  name: "test",
  p: "FFFFFFFFFFB43EA5",
  q: "FFF1",
  g: "D6982759F3D5107E",
});

function makeGroup({ name, p, q, g }) {
  const group = { name, p: fromHex(p), q: fromHex(q), g: fromHex(g) };
  group.qBytes = Math.ceil(group.q.toString(16).length / 2);
  return Object.freeze(group);
}

/** Parse a hex string as ElectionGuard writes it; throws on anything else. */
export function fromHex(text) {
  if (typeof text !== "string" || !HEX.test(text)) {
    throw new TypeError(`not a hex number: ${String(text).slice(0, 20)}`);
  }
  return BigInt(`0x${text}`);
}

/** ElectionGuard's hex form of a non-negative number: upper case, even length. */
export function toHex(value) {
  const digits = value.toString(16).toUpperCase();
  return digits.length % 2 ? `0${digits}` : digits;
}

/** The bytes of ElectionGuard's hex form (what `to_hex_bytes` answers). */
export function hexBytes(value) {
  const digits = toHex(value);
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i += 1) {
    bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

/** (a mod m) in [0, m), also for negative a. */
export function mod(a, m) {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** base^exponent mod modulus by left-to-right 4-bit windows (exponent >= 0). */
export function modPow(base, exponent, modulus) {
  if (exponent < 0n) throw new RangeError("negative exponent");
  const b = mod(base, modulus);
  const table = [1n, b];
  for (let d = 2; d < 16; d += 1) table.push((table[d - 1] * b) % modulus);
  let result = 1n;
  for (const digit of exponent.toString(16)) {
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    result = (result * result) % modulus;
    const d = parseInt(digit, 16);
    if (d) result = (result * table[d]) % modulus;
  }
  return result % modulus;
}

/**
 * Fixed-base exponentiation for one base that is raised to many exponents below 2^bits.
 *
 * Precomputes base^(d * 16^i) for every hex digit d and position i, so one exponentiation
 * costs at most one multiplication per hex digit of the exponent and no squarings.
 */
export class FixedBase {
  constructor(base, modulus, bits) {
    this.modulus = modulus;
    this.rows = [];
    let power = mod(base, modulus); // base^(16^i)
    const positions = Math.ceil(bits / 4);
    for (let i = 0; i < positions; i += 1) {
      const row = [1n, power];
      for (let d = 2; d < 16; d += 1) row.push((row[d - 1] * power) % modulus);
      this.rows.push(row);
      power = (row[15] * power) % modulus;
    }
  }

  /** base^exponent mod modulus, for 0 <= exponent < 2^bits. */
  pow(exponent) {
    const digits = exponent.toString(16);
    if (exponent < 0n || digits.length > this.rows.length) {
      throw new RangeError("exponent out of range for this table");
    }
    let result = 1n;
    for (let i = 0; i < digits.length; i += 1) {
      const d = parseInt(digits[digits.length - 1 - i], 16);
      if (d) result = (result * this.rows[i][d]) % this.modulus;
    }
    return result;
  }
}

/** A uniformly random element of [0, q) from the device's CSPRNG (rejection sampling). */
export function randomBelowQ(group) {
  const bytes = new Uint8Array(group.qBytes);
  const topBits = group.q.toString(2).length % 8 || 8;
  for (let attempt = 0; attempt < 256; attempt += 1) {
    globalThis.crypto.getRandomValues(bytes);
    bytes[0] &= (1 << topBits) - 1;
    let value = 0n;
    for (const byte of bytes) value = (value << 8n) | BigInt(byte);
    if (value < group.q) return value;
  }
  throw new Error("the random number generator keeps answering out-of-range values");
}
