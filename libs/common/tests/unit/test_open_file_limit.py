"""A service lifts its own soft limit on open files to the hard one, so streams get sockets."""

from __future__ import annotations

import resource
import subprocess
import sys

SCRIPT = """
import resource
from ratsraum_common.serve import raise_open_file_limit
now = raise_open_file_limit()
print(now, *resource.getrlimit(resource.RLIMIT_NOFILE))
"""


def _lowered_soft_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))


def test_a_low_soft_limit_is_raised_to_the_operators_hard_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    out = subprocess.run([sys.executable, "-c", SCRIPT], preexec_fn=_lowered_soft_limit,
                         capture_output=True, text=True, check=True).stdout.split()
    reported, soft, new_hard = (int(v) for v in out)
    assert new_hard == hard, "the hard limit is the operator's and stays"
    assert soft == reported
    expected = hard if hard != resource.RLIM_INFINITY else 1_048_576
    assert soft == expected > 256
