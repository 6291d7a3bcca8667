"""The web page under load and failure: size limits, concurrent sessions, one crashing check."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the web page needs streamlit")

from streamlit.testing.v1 import AppTest

from app.inputs import MAX_BYTES
from checker import all_checks, cli
from checker.checks.repetition import DoubledWord

APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")
#: model-backed checks are off here (mtcheck.toml): these tests are about the page, not the models
MODEL_CHECKS = [cid for cid, cls in all_checks().items() if cls.default_enabled and cls.requires]


@pytest.fixture(autouse=True)
def workdir(workdir_without) -> Path:
    return workdir_without(MODEL_CHECKS)


def session(text: str) -> AppTest:
    """A fresh session (as a new browser tab gets) with ``text`` pasted, not yet checked."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_area(key="target_text").set_value(text)
    return at


def checked(text: str) -> AppTest:
    at = session(text)
    at.button(key="check").click().run()
    assert not at.exception
    return at


def test_the_server_refuses_uploads_over_the_page_limit():
    command = cli.app_command(8501, "127.0.0.1")
    limit_mb = int(command[command.index("--server.maxUploadSize") + 1])
    assert limit_mb * 1024 * 1024 == MAX_BYTES  # Streamlit refuses bigger files before the page sees them


FIRST = "The the report was published on Monday. It is good."
SECOND = "Prices rose sharply ,and nobody knew why. The end."


def assert_own_results(first: AppTest, second: AppTest) -> None:
    assert not first.exception and not second.exception
    a, b = first.session_state["report"], second.session_state["report"]
    assert a.text.startswith("The the report") and b.text.startswith("Prices rose")
    assert {f.check for f in a.findings} != {f.check for f in b.findings}
    assert "doubled-word" in {f.check for f in a.findings}
    assert all(a.text[f.start:f.end] == f.text for f in a.findings if f.side == "target")
    assert all(b.text[f.start:f.end] == f.text for f in b.findings if f.side == "target")


@pytest.fixture
def one_script_cache(monkeypatch) -> None:
    """Compile the page under one lock, as the real server does.

    A Streamlit server keeps one ScriptCache (with its lock) for every session, so the page is
    parsed once. AppTest builds a new cache per run, so two test sessions parse the page at the
    same moment, and ``ast.parse`` from two threads at once can fail inside CPython 3.11 itself
    ("AST constructor recursion depth mismatch", python/cpython#106905): a harness artefact, not
    a page fault. The lock restores the server's behaviour; the checks still run concurrently.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    lock, compile_page = threading.Lock(), ScriptCache.get_bytecode

    def locked(self, script_path):
        with lock:
            return compile_page(self, script_path)

    monkeypatch.setattr(ScriptCache, "get_bytecode", locked)


def test_two_sessions_at_once_keep_their_own_results(one_script_cache):
    first, second = session(FIRST), session(SECOND)
    with ThreadPoolExecutor(2) as pool:  # both users press Check at the same time
        list(pool.map(lambda at: at.button(key="check").click().run(), [first, second]))
    assert_own_results(first, second)


def test_a_page_rerun_after_another_session_checked_keeps_its_own_result():
    # AppTest itself is not safe to rerun from a page another thread built at the same time (a widget's
    # format function can land in the other session's registry: KeyError in streamlit.testing), so this
    # half of the scenario runs one step at a time
    first, second = checked(FIRST), checked(SECOND)
    first.run()  # the first user's page reruns after the second user checked
    assert_own_results(first, second)


def test_a_crashing_check_is_reported_while_the_others_still_report(monkeypatch):
    def boom(self, doc, ctx):
        raise RuntimeError("regex engine on fire")

    monkeypatch.setattr(DoubledWord, "run", boom)
    at = checked("The the report was published on Monday ,as planned. It is good.")
    report = at.session_state["report"]
    assert "check doubled-word failed: RuntimeError: regex engine on fire" in report.errors
    assert "doubled-word" not in {f.check for f in report.findings}
    assert report.findings, "the other checks must still report"
    assert not [e.value for e in at.error]  # a warning on the page, not an error that hides the report
    assert any("doubled-word failed" in w.value for w in at.warning)


def _serving(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_to_mtcheck_app_leaves_nothing_serving_the_port(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "checker", "app", "--port", str(port), "--host", "127.0.0.1"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "mtcheck app did not come up"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.5)
        os.kill(proc.pid, signal.SIGTERM)  # what a service manager or `kill PID` sends: to the process, not its group
        assert proc.wait(timeout=30) is not None
        time.sleep(0.5)
        assert not _serving(port), "a process still serves the port after SIGTERM"
        try:
            os.killpg(proc.pid, 0)  # nothing of the process group it started is left
            leftover = True
        except ProcessLookupError:
            leftover = False
        assert not leftover, "a child of mtcheck app outlived it"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
