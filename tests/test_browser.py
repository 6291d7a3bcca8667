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


#: each server's log file and process id, by its URL
SERVER_LOG: dict[str, Path] = {}
SERVER_PID: dict[str, int] = {}


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
    SERVER_LOG[url], SERVER_PID[url] = log, proc.pid
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


#: a PO file with long entries: the side-by-side view must keep every column in its box
PO_VIEW = ('msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
           'msgid "Open the file"\nmsgstr "Die Datei öffnen"\n\n'
           '#, c-format\nmsgid "Copied %s to %s."\nmsgstr "%s kopiert."\n\n'
           'msgid "Your changes to the document were saved automatically in the background while you were working on '
           'it, so you can close this window now."\nmsgstr "Ihre Änderungen am Dokument wurden automatisch im Hintergrund '
           'gespeichert, während Sie daran gearbeitet haben, sodass Sie dieses Fenster jetzt schließen können."\n\n'
           'msgid "Read https://example.com/a/very/long/address/that/does/not/break/anywhere/by/itself/index.html"\n'
           'msgstr "Lesen Sie https://example.com/a/very/long/address/that/does/not/break/anywhere/by/itself/index.html"\n\n'
           'msgid "Print the report"\nmsgstr "Den Bericht drucken"\n\n'
           'msgid "Close the window"\nmsgstr "Das Fenster schließen"\n')


def test_po_file_side_by_side_keeps_every_column_in_its_box(server, page, tmp_path):
    po = tmp_path / "app.de.po"
    po.write_text(PO_VIEW, encoding="utf-8")
    page.goto(server, wait_until="domcontentloaded")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(po))
    page.get_by_role("button", name="Check", exact=True).click(timeout=60_000)
    table = page.locator("table.mt-pairs")
    table.wait_for(timeout=90_000)
    box = table.locator("xpath=ancestor::div[@data-testid='stColumn'][1]").bounding_box()
    heads = table.locator("th")
    assert [heads.nth(i).inner_text().strip() for i in range(5)] == ["#", "Source", "Target", "Similarity", "Score"]
    for i in range(5):  # each heading whole and inside the box: none pushed out to its first letter
        head = heads.nth(i).bounding_box()
        assert head["x"] + head["width"] <= box["x"] + box["width"] + 1
    assert heads.nth(3).evaluate("e => e.scrollWidth <= e.clientWidth")
    ids = table.locator("tr td:first-child")
    assert [ids.nth(i).inner_text() for i in range(ids.count())] == ["1", "2", "3", "4", "5", "6"]
    assert ids.nth(1).get_attribute("title") == "Copied %s to %s."  # the msgid on hover, not in the column
    assert table.locator("mark.critical").first.inner_text() == "%s"  # the lost placeholder, in the source
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for(
        timeout=30_000)
    page.mouse.move(0, 0)
    page.wait_for_timeout(1500)
    shot = tmp_path / "po-view.png"
    table.screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    if os.environ.get("MTCHECK_PO_SCREENSHOT"):
        table.locator("xpath=ancestor::div[@data-testid='stColumn'][1]").screenshot(
            path=os.environ["MTCHECK_PO_SCREENSHOT"])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the server's CPU time from /proc")
def test_closing_the_tab_mid_check_stops_the_work(server, page, tmp_path):
    # 4,000 sentences: a minute of checking on two cores, reported sentence by sentence
    text = (Path(__file__).resolve().parent.parent / "samples" / "mt_news_article_en.txt").read_text(encoding="utf-8")
    big = tmp_path / "long.txt"
    big.write_text(text * 100, encoding="utf-8")
    page.goto(server, wait_until="domcontentloaded")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(big))
    page.get_by_role("button", name="Check", exact=True).click(timeout=60_000)
    page.get_by_text("Checking:").first.wait_for(timeout=120_000)  # the progress bar is up: the checks run
    page.close()
    log = SERVER_LOG[server]
    deadline = time.monotonic() + 60
    while "stopped after" not in log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, "the check went on after its tab closed"
        time.sleep(0.5)
    assert "its page closed or asked again" in log.read_text(encoding="utf-8", errors="replace")
    pid = SERVER_PID[server]
    before = _cpu_seconds(pid)
    time.sleep(3)
    assert _cpu_seconds(pid) - before < 1.0  # idle again, not checking 4,000 sentences on
