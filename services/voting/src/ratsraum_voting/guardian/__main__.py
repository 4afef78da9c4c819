"""`python -m ratsraum_voting.guardian --name vorsitz --dir DIR --order 1 --port 50071`.

With --tls-cert, --tls-key and --tls-client-ca (or GUARDIAN_TLS_CERT_FILE, GUARDIAN_TLS_KEY_FILE,
GUARDIAN_TLS_CLIENT_CA_FILE) the guardian serves mutual TLS and answers only clients whose
certificate that CA signed (voting).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from ratsraum_common.grpctls import MutualTls
from ratsraum_voting.guardian.server import serve_forever
from ratsraum_voting.guardian.store import GuardianStore


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "")
    return Path(value) if value else None


def main(argv: list[str] | None = None) -> None:
    """Run one guardian process; its key shares stay in --dir."""
    parser = argparse.ArgumentParser(prog="ratsraum-guardian", description=__doc__)
    parser.add_argument("--name", required=True, help="guardian id, e.g. vorsitz")
    parser.add_argument("--dir", required=True, type=Path, help="private key folder")
    parser.add_argument("--order", type=int, default=1, help="sequence order 1..n")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=50071)
    parser.add_argument("--tls-cert", type=Path, default=_env_path("GUARDIAN_TLS_CERT_FILE"))
    parser.add_argument("--tls-key", type=Path, default=_env_path("GUARDIAN_TLS_KEY_FILE"))
    parser.add_argument("--tls-client-ca", type=Path,
                        default=_env_path("GUARDIAN_TLS_CLIENT_CA_FILE"))
    parser.add_argument("--min-ballots", type=int,
                        default=int(os.environ.get("GUARDIAN_MIN_BALLOTS", "3")),
                        help="decrypt only sums of at least this many ballots (default 3)")
    parser.add_argument("--voting-public-key",
                        default=os.environ.get("GUARDIAN_VOTING_PUBLIC_KEY", ""),
                        help="voting's hex Ed25519 audit key: decrypt only polls it signed "
                             "as closed")
    parser.add_argument("--skip-proof-checks", action="store_true",
                        default=os.environ.get("GUARDIAN_SKIP_PROOF_CHECKS", "") == "1",
                        help="add the ballots up without re-checking each ballot's proofs "
                             "(voting checked them at cast; faster for large polls)")
    args = parser.parse_args(argv)
    tls = MutualTls.from_files(ca_file=args.tls_client_ca, cert_file=args.tls_cert,
                               key_file=args.tls_key)
    if args.min_ballots < 1:
        parser.error("--min-ballots must be at least 1")
    store = GuardianStore(folder=args.dir, guardian_id=args.name, sequence_order=args.order,
                          min_ballots=args.min_ballots,
                          voting_public_key=args.voting_public_key.strip(),
                          check_proofs=not args.skip_proof_checks)

    asyncio.run(serve_forever(store=store, host=args.host, port=args.port, tls=tls))


if __name__ == "__main__":
    main()
