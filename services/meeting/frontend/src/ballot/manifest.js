// The parts of an ElectionGuard manifest a device needs to encrypt a Ratsraum ballot.
//
// A Ratsraum poll has one ballot style and one 1-of-m contest with one selection per option
// (see libs/ballot-client, build_manifest). ElectionGuard appends `number_elected`
// placeholder selections to every contest; their ids and hashes are derived here exactly as
// ElectionGuard derives them.

import { hashElems } from "./hash.js";

function selectionHash(group, selection) {
  return hashElems(group, selection.object_id, selection.sequence_order, selection.candidate_id);
}

async function textHash(group, text) {
  // InternationalizedText: the hash of its list of Language(value, language) entries.
  if (text === null || text === undefined) return null;
  const languages = [];
  for (const entry of text.text ?? []) {
    languages.push(await hashElems(group, entry.value, entry.language ?? "en"));
  }
  return hashElems(group, languages);
}

async function contestHash(group, contest) {
  const selections = [];
  for (const selection of contest.ballot_selections) {
    selections.push(await selectionHash(group, selection));
  }
  return hashElems(
    group,
    contest.object_id,
    contest.sequence_order,
    contest.electoral_district_id,
    contest.vote_variation,
    await textHash(group, contest.ballot_title),
    await textHash(group, contest.ballot_subtitle),
    contest.name,
    contest.number_elected,
    contest.votes_allowed ?? null,
    selections,
  );
}

function placeholders(contest) {
  const highest = Math.max(...contest.ballot_selections.map((s) => s.sequence_order));
  const made = [];
  for (let i = 0; i < contest.number_elected; i += 1) {
    const order = highest + 1 + i;
    made.push({
      object_id: `${contest.object_id}-${order}-placeholder`,
      sequence_order: order,
      candidate_id: `${contest.object_id}-${order}-candidate`,
    });
  }
  return made;
}

/**
 * The ballot layout of a Ratsraum manifest: style id, the contest with its description hash,
 * and every selection (options, then placeholders) with its description hash.
 */
export async function ballotLayout(group, manifest) {
  const styles = manifest.ballot_styles ?? [];
  const contests = manifest.contests ?? [];
  if (styles.length !== 1 || contests.length !== 1) {
    throw new Error("a Ratsraum manifest has exactly one ballot style and one contest");
  }
  const contest = contests[0];
  if (contest.number_elected !== 1 || contest.ballot_selections.length < 2) {
    throw new Error("a Ratsraum contest elects one of at least two options");
  }
  const selections = [];
  for (const selection of contest.ballot_selections) {
    selections.push({
      objectId: selection.object_id,
      sequenceOrder: selection.sequence_order,
      descriptionHash: await selectionHash(group, selection),
      isPlaceholder: false,
    });
  }
  for (const selection of placeholders(contest)) {
    selections.push({
      objectId: selection.object_id,
      sequenceOrder: selection.sequence_order,
      descriptionHash: await selectionHash(group, selection),
      isPlaceholder: true,
    });
  }
  return {
    styleId: styles[0].object_id,
    contest: {
      objectId: contest.object_id,
      sequenceOrder: contest.sequence_order,
      numberElected: contest.number_elected,
      descriptionHash: await contestHash(group, contest),
    },
    selections,
    optionIds: contest.ballot_selections.map((s) => s.object_id),
  };
}
