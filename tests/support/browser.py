"""Debian's chromium as Playwright drives it in the browser tests and the benchmark (never a downloaded browser)."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No sandbox (containers), no GPU, and nothing that reaches the network on its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
# The window and language of a page: a French user's desktop.
CONTEXT = {"viewport": {"width": 1400, "height": 1000}, "locale": "fr-FR"}
