"""Voting's tests share `voting_testkit` (a running service, requests, refusals)."""

from __future__ import annotations

import sys
from pathlib import Path

# The workspace runs pytest with --import-mode=importlib, where test modules cannot import
# a sibling helper module; put this folder on the path so `voting_testkit` is importable.
sys.path.insert(0, str(Path(__file__).parent))
