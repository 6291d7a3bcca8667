"""Settings: the settings file, the environment and explicit options, and how they meet."""

from __future__ import annotations

from checker.config import load_config


def test_ignore_file_before_ignore_keeps_the_file_patterns(tmp_path):
    (tmp_path / ".mtcheckignore").write_text("# names\n\\bACME\\b\n", encoding="utf-8")
    toml = tmp_path / "mtcheck.toml"
    toml.write_text('[checks]\nignore_file = ".mtcheckignore"\nignore = ["\\\\bGmbH\\\\b"]\n', encoding="utf-8")
    assert sorted(load_config(toml)["ignore"]) == sorted(["\\bACME\\b", "\\bGmbH\\b"])
    toml.write_text('[checks]\nignore = ["\\\\bGmbH\\\\b"]\nignore_file = ".mtcheckignore"\n', encoding="utf-8")
    assert sorted(load_config(toml)["ignore"]) == sorted(["\\bACME\\b", "\\bGmbH\\b"])
