"""End to end in a real browser: `mtcheck app` served on localhost, driven by headless chromium.

Uses Debian's chromium (``apt-get install chromium``) through Playwright's Python package;
Playwright's own browser download is never used. Skips only when no browser is installed.
Set ``MTCHECK_SCREENSHOT=docs/app.png`` to also write the README's screenshot.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]


def light_settings(folder: Path) -> None:
    """mtcheck.toml switching off the checks that load the causal LM (minutes on a busy 2-core machine)."""
    from checker import all_checks

    heavy = ", ".join(f'"{c}"' for c, cls in all_checks().items() if cls.default_enabled and cls.requires == "lm")
    (folder / "mtcheck.toml").write_text(f"[checks]\ndisable = [{heavy}]\n", encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mtcheck app exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the app did not answer on {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`mtcheck app` on a free localhost port, stopped (its whole process group) afterwards."""
    if not CHROMIUM.exists():
        pytest.skip("no browser installed: /usr/bin/chromium is missing (apt-get install chromium)")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("app")
    log = workdir / "server.log"
    light_settings(workdir)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "checker", "app", "--port", str(port), "--host", "127.0.0.1"],
                                cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 1000},
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def test_sample_in_browser(server, page, tmp_path):
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_role("button", name="Try the sample").click(timeout=60_000)
    marks = page.locator("div.mt-doc mark")
    marks.first.wait_for(timeout=90_000)
    assert marks.count() >= 3
    title = marks.first.get_attribute("title") or ""
    assert title.startswith("[") and ":" in title  # "[severity] check-id: message" on hover
    assert page.locator("div.mt-doc mark.minor, div.mt-doc mark.major, div.mt-doc mark.critical").count() == marks.count()
    table = page.locator('[data-testid="stDataFrame"]')
    table.wait_for(timeout=30_000)
    assert table.is_visible()
    assert page.get_by_text("Findings", exact=True).first.is_visible()
    assert page.locator('[data-testid="stMetric"]').count() >= 6
    assert page.get_by_role("button", name="HTML report").is_visible()
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.set_viewport_size({"width": 1440, "height": 2300})  # the page scrolls inside a container: show it all
    page.wait_for_timeout(1500)  # let the chart and table finish drawing
    shot = tmp_path / "app.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("MTCHECK_SCREENSHOT"):
        page.screenshot(path=os.environ["MTCHECK_SCREENSHOT"], full_page=True)
