"""`python -m ratsraum_voting.guardian --name vorsitz --dir DIR --order 1 --port 50071`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from ratsraum_voting.guardian.server import serve_forever
from ratsraum_voting.guardian.store import GuardianStore


def main(argv: list[str] | None = None) -> None:
    """Run one guardian process; its key shares stay in --dir."""
    parser = argparse.ArgumentParser(prog="ratsraum-guardian", description=__doc__)
    parser.add_argument("--name", required=True, help="guardian id, e.g. vorsitz")
    parser.add_argument("--dir", required=True, type=Path, help="private key folder")
    parser.add_argument("--order", type=int, default=1, help="sequence order 1..n")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=50071)
    args = parser.parse_args(argv)
    store = GuardianStore(folder=args.dir, guardian_id=args.name, sequence_order=args.order)

    asyncio.run(serve_forever(store=store, host=args.host, port=args.port))


if __name__ == "__main__":
    main()
