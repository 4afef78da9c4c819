"""The guardians of secret votes for the local stack: chair and two tellers, one process each.

Voting holds no key that could decrypt a ballot; the guardians do (2 of 3 decrypt the tally).
`make run` and the end-to-end tests start them as a council's deployment would, each with its
own key folder, in ElectionGuard's production group (a key ceremony takes under a second, a
close about one). Plaintext gRPC on loopback is for the local stack only; a deployment uses
mutual TLS (voting refuses guardians without it in production).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

GUARDIAN_IDS = ("vorsitz", "schriftfuehrung-1", "schriftfuehrung-2")


def voting_setting(host: str, ports: tuple[int, ...]) -> str:
    """VOTING_GUARDIANS for voting: who the guardians are and where they listen."""
    return json.dumps([{"id": gid, "address": f"{host}:{port}"}
                       for gid, port in zip(GUARDIAN_IDS, ports, strict=True)])


class LocalGuardians:
    """The three guardian processes; start() and stop() around the stack."""

    def __init__(self, folder: Path, *, host: str, ports: tuple[int, ...], log_dir: Path,
                 env: dict[str, str]) -> None:
        self.folder = folder
        self.host = host
        self.ports = ports
        self.log_dir = log_dir
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> LocalGuardians:
        """Start the three processes (the ceremony runs when a secret vote opens)."""
        self.processes = [self._spawn(index) for index in range(len(GUARDIAN_IDS))]
        return self

    def _spawn(self, index: int) -> subprocess.Popen[bytes]:
        gid, port = GUARDIAN_IDS[index], self.ports[index]
        with open(self.log_dir / f"guardian-{gid}.log", "ab") as log:
            return subprocess.Popen(  # noqa: S603 - our interpreter, our module
                [sys.executable, "-m", "ratsraum_voting.guardian", "--name", gid,
                 "--dir", str(self.folder / gid), "--order", str(index + 1),
                 "--host", self.host, "--port", str(port)],
                env={**self.env, "PYTHONUNBUFFERED": "1"}, stdout=log, stderr=subprocess.STDOUT)

    def restart(self, index: int) -> None:
        """Start one guardian again (after it was killed); its key folder is kept."""
        if self.processes[index].poll() is None:
            raise RuntimeError(f"guardian {GUARDIAN_IDS[index]} is still running")
        self.processes[index] = self._spawn(index)

    def wait_ready(self, timeout: float) -> None:
        """Return once every guardian accepts connections; raise if one exits or stalls."""
        deadline = time.monotonic() + timeout
        for gid, port, process in zip(GUARDIAN_IDS, self.ports, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"guardian {gid} exited with {process.returncode}")
                try:
                    with socket.create_connection((self.host, port), timeout=1.0):
                        break
                except OSError as exc:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"guardian {gid} not listening after {timeout}s") \
                            from exc
                    time.sleep(0.1)

    def stop(self) -> None:
        """Terminate the processes (kill what does not stop in time)."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
