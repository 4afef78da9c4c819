"""`ratsraum-admin` as an operator and a town admin would use it: real processes against
identity served over HTTP, with the mail going through a real SMTP server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyotp
import pytest
from admin_testkit import accept, give_app, link_token
from fastapi import FastAPI

from ratsraum_devstack.fuzz import serve

CLI = str(Path(sys.executable).parent / "ratsraum-admin")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_operator_and_town_admin_work_from_the_command_line(
    mail_app: FastAPI, mail_client: Any, smtp: tuple[Any, int], tmp_path: Path,
    database_url: str,
) -> None:
    inbox, _ = smtp
    env = {**os.environ, "RATSRAUM_ADMIN_TOKEN_FILE": str(tmp_path / "cli" / "token.json"),
           "IDENTITY_DATABASE_URL": database_url, "IDENTITY_DATA_DIR": str(tmp_path),
           "IDENTITY_ENVIRONMENT": "test"}

    async with serve(mail_app) as base_url:
        def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.run([CLI, "--url", base_url, *args], input=stdin, env=env,
                                  capture_output=True, text=True, timeout=60, check=False)

        async def ok(*args: str, stdin: str = "") -> Any:
            done = await asyncio.to_thread(run, *args, stdin=stdin)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        made = await ok("bootstrap-operator", "--username", "betrieb", "--name", "Betrieb",
                        stdin="betrieb-passwort-1\n")
        app = pyotp.parse_uri(made["otpauth_uri"])
        assert isinstance(app, pyotp.TOTP)
        signed = await ok("login", "--username", "betrieb", "--otp", app.now(),
                          "--password-stdin", stdin="betrieb-passwort-1\n")
        assert signed["signed_in"] == "operator"
        assert (tmp_path / "cli" / "token.json").stat().st_mode & 0o077 == 0
        created = await ok("town-create", "--id", "unna", "--name", "Kreisstadt Unna",
                           "--state", "NRW", "--ags", "05978036",
                           "--admin-email", "rat@unna.example", "--admin-name", "Ute Rat")
        assert created["mail"] == "sent"
        bad = await asyncio.to_thread(run, "town-create", "--id", "x2", "--name", "X",
                                      "--state", "NRW", "--ags", "123", "--admin-email",
                                      "a@b.example", "--admin-name", "A")
        assert bad.returncode == 1
        assert "acht Ziffern" in bad.stderr
        assert [t["id"] for t in await ok("towns")] == ["unna"]

        await accept(mail_client, link_token(inbox.to("rat@unna.example")[0]),
                     "ute-rat-passwort")
        admin_app = await give_app(mail_app.state.identity, created["admin_account"])
        await ok("login", "--username", "rat@unna.example", "--tenant", "unna",
                 "--otp", admin_app.now(), "--password-stdin", stdin="ute-rat-passwort\n")
        faulty = tmp_path / "faulty.csv"
        faulty.write_text("email;name;roles\nanna@unna.example;Anna;rat:member\n"
                          "kein-at;Bert;rat:member\n", encoding="utf-8")
        refused = await asyncio.to_thread(run, "--lang", "en", "import", str(faulty))
        assert refused.returncode == 1
        assert "line 3" in refused.stderr
        assert "nothing was imported" in refused.stderr
        good = tmp_path / "members.csv"
        good.write_text("email;name;roles;person_id\nanna@unna.example;Anna;rat:member;p1\n"
                        "bert@unna.example;Bert;rat:chair bau:member;p2\n", encoding="utf-8")
        imported = await ok("import", str(good))
        assert imported["imported"] == 2
        listed = await ok("accounts")
        assert sorted(a["email"] for a in listed) == [
            "anna@unna.example", "bert@unna.example", "rat@unna.example"]
        bert = next(a for a in listed if a["email"] == "bert@unna.example")
        changed = await ok("roles", bert["id"], "--body-role", "rat:vice_chair")
        assert changed["body_roles"] == [{"body": "rat", "role": "vice_chair"}]
        gone = await ok("deactivate", bert["id"])
        assert gone["status"] == "deactivated"
