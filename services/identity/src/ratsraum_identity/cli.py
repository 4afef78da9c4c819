"""`ratsraum-admin`: the command line of operators and town admins.

It calls identity's admin API with a token from `ratsraum-admin login` (kept in
~/.config/ratsraum-admin/token.json, readable only by you) or from RATSRAUM_ADMIN_TOKEN.
`bootstrap-operator` is the one command that works on the database directly: run it where
identity runs (same IDENTITY_* settings) to create the first operator.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8081"
TOKEN_FILE = Path.home() / ".config" / "ratsraum-admin" / "token.json"


class CliError(Exception):
    """A failure to report on stderr (exit status 1)."""


def _token_file() -> Path:
    return Path(os.environ.get("RATSRAUM_ADMIN_TOKEN_FILE", str(TOKEN_FILE)))


def _saved() -> dict[str, Any]:
    path = _token_file()
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _url(args: argparse.Namespace) -> str:
    url: str = args.url or os.environ.get("RATSRAUM_IDENTITY_URL") or _saved().get("url") \
        or DEFAULT_URL
    return url.rstrip("/")


def _token() -> str:
    token = os.environ.get("RATSRAUM_ADMIN_TOKEN") or _saved().get("access_token")
    if not token:
        raise CliError("not signed in: run `ratsraum-admin login` first")
    return str(token)


def _call(args: argparse.Namespace, method: str, path: str, *, auth: bool = True,
          **kwargs: Any) -> Any:
    headers = {"Accept-Language": args.lang}
    if auth:
        headers["Authorization"] = f"Bearer {_token()}"
    headers.update(kwargs.pop("headers", {}))
    try:
        response = httpx.request(method, _url(args) + path, headers=headers, timeout=30.0,
                                 **kwargs)
    except httpx.HTTPError as exc:
        raise CliError(f"identity not reachable at {_url(args)}: {exc}") from exc
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            raise CliError(f"HTTP {response.status_code}") from None
        lines = [f"{problem.get('title', 'Error')} ({response.status_code}): "
                 f"{problem.get('detail', '')}"]
        for error in problem.get("errors", []):
            where = f"line {error['line']}" if "line" in error else error.get("field", "")
            lines.append(f"  {where} {error.get('field', '') if 'line' in error else ''}: "
                         f"{error.get('message', '')}")
        raise CliError("\n".join(lines))
    return response.json() if response.content else None


def _login(args: argparse.Namespace) -> Any:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin \
        else getpass.getpass("Passwort / password: ")
    otp = args.otp if args.otp is not None else input("Code der Authenticator-App / "
                                                      "authenticator code (empty: none): ")
    body = {"username": args.username, "password": password, "otp": otp.strip(),
            "tenant": args.tenant}
    result = _call(args, "POST", "/api/v1/admin-tokens", auth=False, json=body)
    path = _token_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600)
    path.write_text(json.dumps({**result, "url": _url(args)}), encoding="utf-8")
    return {"signed_in": result["kind"], "tenant": result.get("tenant"),
            "expires_in": result["expires_in"]}


def _roles(args: argparse.Namespace) -> dict[str, Any]:
    body_roles = []
    for entry in args.body_role or []:
        body, sep, role = entry.rpartition(":")
        if not sep:
            raise CliError(f"--body-role wants BODY:ROLE, got {entry!r}")
        body_roles.append({"body": body, "role": role})
    return {"town_roles": args.town_role or [], "body_roles": body_roles}


def _bootstrap(args: argparse.Namespace) -> Any:
    from ratsraum_common.logging import configure_logging
    from ratsraum_identity.operators.bootstrap import bootstrap_operator

    # Logs go to stderr, so stdout carries only the result (the secret) as JSON.
    configure_logging(service="ratsraum-admin", level="WARNING")

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin \
        else getpass.getpass("Neues Passwort / new password: ")
    if len(password) < 12:
        raise CliError("the password needs at least 12 characters")
    try:
        return asyncio.run(bootstrap_operator(username=args.username, name=args.name,
                                              password=password))
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def _commands(sub: Any) -> None:
    def add(name: str, help_text: str, run: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        parser.set_defaults(run=run)
        return parser

    p = add("login", "get an API token (operator: omit --tenant)", _login)
    p.add_argument("--username", required=True)
    p.add_argument("--tenant", help="the town, for a town admin")
    p.add_argument("--otp", help="authenticator code (asked for if omitted)")
    p.add_argument("--password-stdin", action="store_true")

    p = add("bootstrap-operator", "create an operator in identity's database", _bootstrap)
    p.add_argument("--username", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--password-stdin", action="store_true")

    add("towns", "list towns (operator)",
        lambda a: _call(a, "GET", "/api/v1/operator/towns"))
    p = add("town-create", "create a town and invite its first admin (operator)",
            lambda a: _call(a, "POST", "/api/v1/operator/towns", json={
                "id": a.id, "name": a.name, "state": a.state, "ags": a.ags,
                "admin": {"email": a.admin_email, "name": a.admin_name}}))
    for flag in ("--id", "--name", "--state", "--ags", "--admin-email", "--admin-name"):
        p.add_argument(flag, required=True)
    for verb in ("suspend", "resume"):
        p = add(f"town-{verb}", f"{verb} a town (operator)",
                lambda a, v=verb: _call(a, "POST", f"/api/v1/operator/towns/{a.id}/{v}"))
        p.add_argument("id")
    p = add("town-delete", "delete a suspended town (operator)",
            lambda a: _call(a, "DELETE", f"/api/v1/operator/towns/{a.id}") or {"deleted": a.id})
    p.add_argument("id")

    add("accounts", "list your town's accounts (town admin)",
        lambda a: _call(a, "GET", "/api/v1/town/accounts"))
    p = add("invite", "invite a person by mail (town admin)",
            lambda a: _call(a, "POST", "/api/v1/town/accounts", json={
                "email": a.email, "name": a.name, "person_id": a.person_id, **_roles(a)}))
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--person-id")
    for target in (p, add("roles", "replace an account's roles (town admin)",
                          lambda a: _call(a, "PUT", f"/api/v1/town/accounts/{a.id}/roles",
                                          json=_roles(a)))):
        target.add_argument("--town-role", action="append", choices=["admin", "clerk"])
        target.add_argument("--body-role", action="append", metavar="BODY:ROLE")
        if target is not p:
            target.add_argument("id")
    p = add("link-person", "link an account to a person id from OParl (town admin)",
            lambda a: _call(a, "PUT", f"/api/v1/town/accounts/{a.id}/person",
                            json={"person_id": a.person_id}))
    p.add_argument("id")
    p.add_argument("person_id", nargs="?")
    for verb, path in (("deactivate", "deactivate"), ("reactivate", "reactivate"),
                       ("reinvite", "invitation")):
        p = add(verb, f"{verb} an account (town admin)",
                lambda a, x=path: _call(a, "POST", f"/api/v1/town/accounts/{a.id}/{x}"))
        p.add_argument("id")
    p = add("import", "invite every person of a CSV file, or nobody (town admin)",
            lambda a: _call(a, "POST", "/api/v1/town/accounts/import",
                            content=Path(a.file).read_bytes(),
                            headers={"Content-Type": "text/csv"}))
    p.add_argument("file")
    _federation_commands(add)


def _federation_commands(add: Any) -> None:
    add("federation", "show your town's own identity provider (town admin)",
        lambda a: _call(a, "GET", "/api/v1/town/federation"))
    p = add("federation-set", "sign in with your town's own OpenID provider (town admin)",
            lambda a: _call(a, "PUT", "/api/v1/town/federation", json={
                "issuer": a.issuer, "client_id": a.client_id, "claim": a.claim,
                "match_field": a.match_field, "display_name": a.display_name,
                "uses_client_secret": not a.public_client,
                "password_allowed": not a.no_password}))
    p.add_argument("--issuer", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--display-name", required=True)
    p.add_argument("--claim", default="email")
    p.add_argument("--match-field", default="email", choices=["email", "username"])
    p.add_argument("--public-client", action="store_true", help="no client secret (PKCE only)")
    p.add_argument("--no-password", action="store_true",
                   help="only town admins keep password sign-in")
    add("federation-remove", "switch your town's provider off (town admin)",
        lambda a: _call(a, "DELETE", "/api/v1/town/federation") or {"federation": "removed"})


def main(argv: list[str] | None = None) -> int:
    """Run one command; prints its result as JSON."""
    parser = argparse.ArgumentParser(prog="ratsraum-admin", description=__doc__.split("\n")[0])
    parser.add_argument("--url", help=f"identity's address (default {DEFAULT_URL})")
    parser.add_argument("--lang", default="de", choices=["de", "en"])
    _commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0
