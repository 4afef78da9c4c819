// An election as a device sees it: the manifest's ballot layout, the public context, the
// group the context was made in, and precomputed powers of g and of the joint key K.

import { FixedBase, STANDARD_GROUP, TEST_GROUP, fromHex } from "./group.js";
import { hashElems } from "./hash.js";
import { ballotLayout } from "./manifest.js";

const GROUPS = [STANDARD_GROUP, TEST_GROUP];
const generatorTables = new Map(); // group name -> FixedBase for g, built once per page
const prepared = new Map(); // manifest + context text -> Promise of an election
const KEEP_PREPARED = 4;

function parse(text, what) {
  try {
    return typeof text === "string" ? JSON.parse(text) : text;
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

async function contextGroup(context) {
  // The base hash binds p, q and g: the group whose base hash matches is the election's.
  const manifestHash = fromHex(context.manifest_hash);
  const baseHash = fromHex(context.crypto_base_hash);
  for (const group of GROUPS) {
    const expected = await hashElems(
      group, group.p, group.q, group.g, context.number_of_guardians, context.quorum, manifestHash,
    );
    if (expected === baseHash) {
      const extended = await hashElems(group, baseHash, fromHex(context.commitment_hash));
      if (extended !== fromHex(context.crypto_extended_base_hash)) {
        throw new Error("the election context's extended base hash does not follow from it");
      }
      return group;
    }
  }
  throw new Error("the election context uses no known ElectionGuard group");
}

function generatorTable(group) {
  if (!generatorTables.has(group.name)) {
    generatorTables.set(group.name, new FixedBase(group.g, group.p, group.q.toString(2).length));
  }
  return generatorTables.get(group.name);
}

async function build(manifestJson, contextJson) {
  const manifest = parse(manifestJson, "the manifest");
  const context = parse(contextJson, "the election context");
  const group = await contextGroup(context);
  const publicKey = fromHex(context.elgamal_public_key);
  if (publicKey <= 1n || publicKey >= group.p) {
    throw new Error("the election public key is out of range");
  }
  const gTable = generatorTable(group);
  const kTable = new FixedBase(publicKey, group.p, group.q.toString(2).length);
  return Object.freeze({
    group,
    layout: await ballotLayout(group, manifest),
    manifestHash: fromHex(context.manifest_hash),
    extendedBaseHash: fromHex(context.crypto_extended_base_hash),
    publicKey,
    gPow: (exponent) => gTable.pow(exponent),
    kPow: (exponent) => kTable.pow(exponent),
  });
}

/**
 * The election for a manifest and context as voting hands them out (JSON text), with its
 * tables built; repeated calls for the same election reuse the same object. A context in
 * ElectionGuard's small test group is refused unless `allowTestGroup` is set (tests only):
 * ballots in that group can be decrypted by anyone.
 */
export async function prepareElection({ manifestJson, contextJson, allowTestGroup = false }) {
  const key = `${typeof manifestJson === "string" ? manifestJson : JSON.stringify(manifestJson)}\n`
    + `${typeof contextJson === "string" ? contextJson : JSON.stringify(contextJson)}`;
  if (!prepared.has(key)) {
    const building = build(manifestJson, contextJson);
    building.catch(() => prepared.delete(key));
    prepared.set(key, building);
    while (prepared.size > KEEP_PREPARED) prepared.delete(prepared.keys().next().value);
  }
  const election = await prepared.get(key);
  if (election.group !== STANDARD_GROUP && !allowTestGroup) {
    throw new Error("the election uses ElectionGuard's small test group, which keeps no "
      + "ballot secret; refusing to encrypt");
  }
  return election;
}
