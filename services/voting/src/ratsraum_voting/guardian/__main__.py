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
    args = parser.parse_args(argv)
    tls = MutualTls.from_files(ca_file=args.tls_client_ca, cert_file=args.tls_cert,
                               key_file=args.tls_key)
    store = GuardianStore(folder=args.dir, guardian_id=args.name, sequence_order=args.order)

    asyncio.run(serve_forever(store=store, host=args.host, port=args.port, tls=tls))


if __name__ == "__main__":
    main()
