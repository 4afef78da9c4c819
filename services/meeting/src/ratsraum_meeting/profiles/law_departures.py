"""The docs/law.md section on where the law data departs from the shared DOMAIN.md.

DOMAIN.md is the project's shared summary of the law and is not changed from here; where the
checked data says otherwise, this section names the place and the citation that decides it.
Citations are taken from the data, so the section stays in step with the tables below it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ratsraum_meeting.profiles.law import StateLaw

HEADING = "## Where this table departs from DOMAIN.md"


def _cite(states: dict[str, StateLaw], code: str, rule: str) -> str:
    law = states[code].rules[rule]
    return f"{law.citation} ({law.status})"


def _rule_list(states: dict[str, StateLaw], pairs: Sequence[tuple[str, str]]) -> str:
    return "; ".join(f"{code}: {_cite(states, code, rule)}" for code, rule in pairs)


def _bar_or_drop(
    states: dict[str, StateLaw],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Who refuses a ballot while anyone is remote, and who holds it without them (with the
    rule that says so)."""
    barring: list[tuple[str, str]] = []
    dropping: list[tuple[str, str]] = []
    for code, state in states.items():
        barred = set(state.rules["barred_with_remote"].value or [])
        if {"election", "secret_vote"} & barred:
            barring.append((code, "barred_with_remote"))
        for kind, rule in (("election", "remote_in_elections"),
                           ("secret_vote", "remote_in_secret_votes")):
            if state.rules[rule].value is False and kind not in barred:
                dropping.append((code, rule))
    return barring, dropping


def departures(states: dict[str, StateLaw]) -> list[str]:
    """The section's lines (Markdown); empty when a state it names is not in `states`."""
    if not {"NRW", "BY", "BW", "BB", "SH", "SN", "TH"}.issubset(states):
        return []
    barring, dropping = _bar_or_drop(states)
    council = [(code, "hybrid_conditions_council") for code in ("NRW", "SN", "SL", "ST", "TH")
               if code in states]
    quorum = [(code, "remote_left_off_leave_quorum") for code in dict(dropping)]
    items = [
        "1. **NRW committees.** DOMAIN.md (Sessions) says the main, finance and audit "
        "committees are excluded from hybrid sessions. They are not excluded "
        f"(`hybrid_excluded_kinds`: {_cite(states, 'NRW', 'hybrid_excluded_kinds')}): they "
        "are left out of the committees' own right to meet hybrid and meet hybrid only under "
        "the council's rule (`hybrid_council_kinds`: "
        f"{_cite(states, 'NRW', 'hybrid_council_kinds')}).",
        "2. **Barring the ballot or dropping the member.** DOMAIN.md (Sessions, Votes) lists "
        "BY, BW, SN, RP, SL, BB and ST together as barring remote members from elections or "
        "secret votes, and says the software blocks them or offers the paper fallback. The "
        "data tells two cases apart. The ballot is refused while any member is remote "
        f"(`barred_with_remote`) in {', '.join(dict(barring))} — "
        f"{_rule_list(states, barring)}. The ballot is held without the remote members, who "
        "stay present but are left off its roll (`remote_in_elections` / "
        f"`remote_in_secret_votes`), in {', '.join(dict(dropping))} — "
        f"{_rule_list(states, dropping)}. Whether they then leave the ballot's quorum count "
        f"is `remote_left_off_leave_quorum` — {_rule_list(states, quorum)}.",
        "3. **\"Declared and confirmed\".** DOMAIN.md (Sessions) says hybrid sessions need an "
        "emergency declared and confirmed in the NRW council, SN, SL, ST and TH. Only TH asks "
        "for a confirmation (`emergency_confirmed`: the mayor finds the emergency, the "
        "council decides on its continuance at its next session). The others need what "
        "`hybrid_conditions_council` lists — "
        f"{_rule_list(states, council)}.",
        "4. **SH quorum wording.** DOMAIN.md (Quorum) says the statutory number is reduced by "
        "the conflicted and \"below half, three voting members suffice\". The need is more "
        "than half of the statutory number reduced by the conflicted; three voting members "
        "suffice only once that reduction is more than half of the statutory number, i.e. "
        "when the reduced number falls below half of the statutory number, not when fewer "
        "than half are present (`quorum_conflict_fallback`: "
        f"{_cite(states, 'SH', 'quorum_conflict_fallback')}).",
        "5. **BW's bar.** DOMAIN.md (Votes) counts BW among the states that keep remote "
        "members out of elections *or secret votes*. Since § 37a GemO was rewritten on "
        "1 September 2025 remote members are kept only from (secret) elections, and those "
        "are held without them, not refused (`remote_in_elections`: "
        f"{_cite(states, 'BW', 'remote_in_elections')}; `remote_in_secret_votes`: "
        f"{_cite(states, 'BW', 'remote_in_secret_votes')}). The wording of the new § 37a "
        "was read only in secondary reports, so both stay unverified. The same holds for BY "
        "from the statute itself (`remote_in_secret_votes`: "
        f"{_cite(states, 'BY', 'remote_in_secret_votes')}).",
        "6. **SN and secret votes.** DOMAIN.md (Sessions, Votes) counts SN among the states "
        "that bar secret votes, or remote members from them, in sessions with remote "
        "members. § 36a SächsGemO bars only elections and the budget bylaw in such sessions "
        "(`barred_with_remote`: "
        f"{_cite(states, 'SN', 'barred_with_remote')}); remote members take part in secret "
        "votes on motions (`remote_in_secret_votes`: "
        f"{_cite(states, 'SN', 'remote_in_secret_votes')}).",
    ]
    intro = ("DOMAIN.md is the shared summary of the law this project started from. Where "
             "the checked data says otherwise, the data holds and the citation below decides; "
             "the status in brackets says how firmly each citation is backed.")
    return [HEADING, "", intro, "", *items, ""]
