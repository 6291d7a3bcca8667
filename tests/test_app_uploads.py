"""Hostile uploads on the page: a NUL byte in the file name, a name longer than a file system allows, a lone
surrogate in JSONL. Each was a full stack trace on the page; now the upload is checked (or refused with one line).

Each test reproduces one failure of a hostile-input review (docs/reliability.md lists them).
"""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit", reason="the web page needs streamlit")

from helpers import ROOT
from streamlit.testing.v1 import AppTest

from app.inputs import Upload, load_document
from checker import all_checks

APP = str(ROOT / "app" / "streamlit_app.py")
LM_CHECKS = [cid for cid, cls in all_checks().items() if cls.default_enabled and cls.requires == "lm"]
JAPANESE = "機械翻訳の品質検査のための長いファイル名" * 4 + "最終版の資料.txt"  # 90 characters, 262 bytes


@pytest.fixture(autouse=True)
def workdir(workdir_without):
    return workdir_without(LM_CHECKS)


def upload_and_check(name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.file_uploader(key="target_file_0").set_value((name, data, "application/octet-stream"))
    at.button(key="check").click().run()
    assert not at.exception, at.exception
    return at


def test_upload_name_with_a_nul_byte_is_checked_under_a_clean_name():
    """Was: ValueError: embedded null byte, as a stack trace."""
    doc = load_document(Upload("bad\x00name.txt", b"The the cat sat on the mat."))
    assert doc.name == "badname.txt" and doc.segments
    at = upload_and_check("bad\x00name.txt", b"The the cat sat on the mat.")
    assert not at.error and "report" in at.session_state
    assert at.session_state.report.name == "badname.txt"


def test_a_90_character_japanese_file_name_is_checked():
    """Was: OSError: File name too long (274 bytes), as a stack trace."""
    assert len(JAPANESE) == 90 and len(JAPANESE.encode()) > 255
    at = upload_and_check(JAPANESE, b"The the cat sat on the mat.")
    assert not at.error and at.session_state.report.name == JAPANESE


def test_a_long_name_still_names_the_file_in_an_error():
    with pytest.raises(Exception, match="^" + JAPANESE[:-4]):
        load_document(Upload(JAPANESE[:-4] + ".jsonl", b'{"target": "ok"}\n{not json\n'))


def test_jsonl_with_a_lone_surrogate_is_checked_with_a_warning():
    """Was: a stack trace (UnicodeEncodeError) when the page drew or offered the report."""
    data = b'{"source": "Hello world.", "target": "Hallo \\ud800 Welt."}\n{"target": "Gut gemacht."}\n'
    at = upload_and_check("pairs.jsonl", data)
    assert not at.error
    report = at.session_state.report
    assert report.segments[0].text == "Hallo \ufffd Welt."
    assert any("lone surrogate" in e and "pairs.jsonl: " in e and "/tmp" not in e for e in report.errors)
    for button in at.get("download_button"):  # every download encodes
        assert button.proto.url
