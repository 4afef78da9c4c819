"""`ratsraum-dev run`: the whole system on this machine, with a demo town."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from ratsraum_common import demo
from ratsraum_devstack.stack import Stack, StackConfig


def _banner(stack: Stack) -> str:
    config = stack.config
    passwords = demo.ensure_credentials(config.data_dir)
    lines = ["", "Ratsraum läuft / Ratsraum is running", ""]
    width = max(len(k) for k in stack.urls())
    lines += [f"  {label:<{width}}  {url}" for label, url in stack.urls().items()]
    app = config.url(config.meeting_port)
    lines += ["", f"  ▶ Anmelden mit jedem Demo-Login / sign in with any demo login: {app}",
              "", f"  Demo: {demo.TENANT_NAME} – {demo.BODY_NAME}",
              f"  Sitzung: {config.url(config.portal_port)}/{demo.TENANT}/sitzungen/"
              f"{demo.MEETING_ID}", "", "  Anmeldungen / demo logins (Benutzer  Passwort  Rolle):"]
    for person in demo.PEOPLE:
        roles = ", ".join(person.roles)
        lines.append(f"    {person.username:<10} {passwords[person.username]:<14} {roles}")
    lines += ["", f"  Daten / data: {config.data_dir.resolve()}",
              "  Beenden mit Strg-C / stop with Ctrl-C", ""]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Start everything, print the URLs and logins, wait for Ctrl-C."""
    config = StackConfig.from_env()
    # Generate the demo logins before identity starts, so the banner and the seed agree.
    demo.ensure_credentials(config.data_dir)
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    stack = Stack(config, echo=not args.quiet)
    try:
        stack.start()
        print(_banner(stack), flush=True)
        while not stop.is_set():
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {process.returncode})",
                          file=sys.stderr)
                    stop.set()
            stop.wait(1.0)
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"Start fehlgeschlagen / start failed: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `ratsraum-dev`."""
    parser = argparse.ArgumentParser(prog="ratsraum-dev", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="start everything with the demo town")
    run_parser.add_argument("--quiet", action="store_true", help="logs only to files")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
