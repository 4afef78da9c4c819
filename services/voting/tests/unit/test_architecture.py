"""Voting's layers hold: imports point down, and no package or module imports back its importer."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

CONFIG = Path(__file__).resolve().parents[2] / "importlinter.ini"


def test_imports_follow_the_layers_and_form_no_circle(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "2 kept, 0 broken" in report
