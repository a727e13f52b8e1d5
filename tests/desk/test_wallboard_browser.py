"""The supervisor's wallboard page in a real browser: headless Chromium driven by Playwright.

The test serves ``examples/wallboard_app.py`` on a free port, opens the page,
lets calls arrive through the centre and waits for the page, which polls by
itself, to show them; then it saves a screenshot. Skipped, with how to install
what is missing, where Playwright (PyPI) or Chromium (Debian) is not there.
Set ``CALLCORE_WALLBOARD_SCREENSHOT`` to a path to keep the screenshot (the
docs' picture is made so).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from callcore.ivr import Digits

CHROMIUM = os.environ.get("CALLCORE_CHROMIUM", "/usr/bin/chromium")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "wallboard_app.py"
# the flags that keep Chromium off the network it cannot reach (and running as root)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: pip install playwright (the Python package only; "
    "it uses Debian's Chromium, no browser download)",
)
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip(
        f"Chromium is not at {CHROMIUM}: apt-get install chromium (Debian's package), "
        "or set CALLCORE_CHROMIUM to a Chromium binary",
        allow_module_level=True,
    )


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wallboard_app_under_test", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def served() -> Iterator[tuple[Any, str]]:
    """The example's centre, and the wallboard's URL on a free port (polling every 200 ms)."""
    app = _example()
    center = app.demo_center()
    httpd = app.server(center)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield center, f"http://127.0.0.1:{httpd.server_address[1]}/?refresh=200"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_wallboard_shows_calls_as_they_arrive(served: tuple[Any, str], tmp_path: Path) -> None:
    """Ringing, then busy and one waiting: the page updates itself; a screenshot is saved."""
    center, url = served
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 560})
            page.goto(url)
            expect = sync_api.expect
            expect(page.locator("#q-support-waiting")).to_have_text("0")
            expect(page.locator("#q-support-ringing")).to_have_text("0")
            expect(page.locator("#a-a1-state")).to_have_text("available")

            center.inbound_call(caller="+40721234567", dialled="+40213004000", contact_id="CA1")
            center.caller_input("CA1", Digits("2"))  # support: a1 is offered the call
            expect(page.locator("#q-support-ringing")).to_have_text("1")
            expect(page.locator("#a-a1-state")).to_have_text("reserved")

            center.agent_accepted("CA1", "a1")
            center.inbound_call(caller="+40721234568", dialled="+40213004000", contact_id="CA2")
            center.caller_input("CA2", Digits("2"))  # nobody free: it waits
            expect(page.locator("#q-support-waiting")).to_have_text("1")
            expect(page.locator("#q-support-waiting")).to_have_class("alert")
            expect(page.locator("#q-support-busy")).to_have_text("1")
            expect(page.locator("#a-a1-state")).to_have_text("busy")
            center.clock.advance(timedelta(seconds=42))  # the page follows the clock
            expect(page.locator("#q-support-longest")).to_have_text("42")

            shot = Path(os.environ.get("CALLCORE_WALLBOARD_SCREENSHOT") or tmp_path / "wall.png")
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        finally:
            browser.close()
