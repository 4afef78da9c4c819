"""A throwaway PostgreSQL cluster from Debian's packages, for tests and benchmarks.

Installs PostgreSQL with apt-get when it is missing (root only), creates a cluster in a
temporary folder on a free port, and hands out fresh databases. PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` system user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from ratsraum_devstack.debian import ensure_package
from ratsraum_devstack.ports import free_port, wait_for_port


def _bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def ensure_installed() -> Path:
    """The PostgreSQL bin folder, installing Debian's postgresql package if needed."""
    return ensure_package("postgresql", find=_bin_dir, what="pg_ctl")


class PostgresCluster:
    """One running throwaway cluster; `create_database()` gives an isolated database."""

    def __init__(self) -> None:
        self.bin = ensure_installed()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ratsraum-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self._as_root = os.geteuid() == 0
        self.user = "postgres" if self._as_root else (os.environ.get("USER") or "postgres")

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        command = list(args)
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    def start(self) -> PostgresCluster:
        """initdb, start, and wait for connections."""
        self.socket_dir.mkdir(parents=True)
        if self._as_root:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        self.root.chmod(0o755)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=300")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "start")
        wait_for_port("127.0.0.1", self.port)
        return self

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database; returns its SQLAlchemy asyncpg URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        self._run(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "-c", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        """asyncpg URL of a database in this cluster."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and remove its files."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
