"""The shape of the app: one package per screen, whose state never imports Panel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "sollicitations_ui"
SCREENS = sorted(p.parent.name for p in UI.glob("*/state.py"))


def test_every_screen_of_the_issue_has_its_package():
    assert set(SCREENS) >= {"entry", "search", "detail", "synthesis", "dashboard", "manager", "outbox", "contact"}


@pytest.mark.parametrize("module", ["common", *[f"{screen}.state" for screen in SCREENS]])
def test_state_never_imports_panel(module):
    """State classes test in plain Python: importing one must not load Panel nor Bokeh."""
    code = f"import sys, sollicitations_ui.{module}; print('panel' in sys.modules, 'bokeh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False", out.stderr


def test_no_module_of_the_app_is_a_god_module():
    sizes = {p.relative_to(UI).as_posix(): len(p.read_text().splitlines()) for p in UI.rglob("*.py")}
    assert max(sizes.values()) <= 600, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
