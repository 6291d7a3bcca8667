"""Shared fixtures: the sample article and its report, offline model settings, a directory with settings.

Paths and helper functions live in ``helpers.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import SAMPLE

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_report(sample_text):
    import checker

    return checker.check_text(sample_text, tgt_lang="en")


@pytest.fixture
def workdir_without(tmp_path, monkeypatch):
    """``workdir_without(ids)``: run in a fresh directory whose mtcheck.toml switches ``ids`` off; returns it."""

    def make(check_ids: list[str]) -> Path:
        quoted = ", ".join(f'"{c}"' for c in check_ids)
        (tmp_path / "mtcheck.toml").write_text(f"[checks]\ndisable = [{quoted}]\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make
