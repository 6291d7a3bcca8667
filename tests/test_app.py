"""The web page's flows with Streamlit's AppTest: sample, paste, upload, bilingual, filters, downloads, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the web page needs streamlit")

from streamlit.testing.v1 import AppTest

from app import settings, views
from app.inputs import MAX_BYTES, Upload, load_document
from app.settings import default_checks, load_defaults, page_config
from checker import all_checks, cli
from checker.io.files import write_atomic
from checker.io.readers import InputError, load_input
from checker.render import render

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app" / "streamlit_app.py")
PAIRS_JSONL = (
    '{"id": "a", "source": "Der Hund schläft im Garten.", "target": "The dog sleeps in the garden ."}\n'
    '{"id": "b", "source": "Die Regierung hat das Gesetz gestern beschlossen.", "target": "The weather is nice today."}\n'
)


#: checks that load the causal LM: minutes for the sample on a busy 2-core machine; switched off through
#: mtcheck.toml (which the page reads like the CLI) so these tests exercise the page, not the model
LM_CHECKS = [cid for cid, cls in all_checks().items() if cls.default_enabled and cls.requires == "lm"]


@pytest.fixture(autouse=True)
def workdir(workdir_without) -> Path:
    """Run in a fresh directory whose mtcheck.toml switches the LM checks off."""
    return workdir_without(LM_CHECKS)


@pytest.fixture(scope="module")
def light_report(sample_text):
    """The sample checked without the LM checks."""
    import checker

    return checker.check_text(sample_text, "en", disable=LM_CHECKS)


def new_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def click_check(at: AppTest) -> AppTest:
    at.button(key="check").click().run()
    assert not at.exception
    return at


def set_checks(at: AppTest, ids) -> AppTest:
    """Switch on exactly the checks ``ids`` in the sidebar's toggles."""
    for cid in all_checks():
        at.toggle(key=f"check:{cid}").set_value(cid in ids)
    return at


def chosen_checks(at: AppTest) -> list[str]:
    return sorted(cid for cid in all_checks() if at.toggle(key=f"check:{cid}").value)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def html_bodies(at: AppTest) -> str:
    return "".join(h.value for h in at.get("html"))


@pytest.fixture
def sample_app() -> AppTest:
    at = new_app()
    at.button(key="sample").click().run()
    assert not at.exception and not errors(at)
    return at


# -- flows -------------------------------------------------------------------------------------------------------------------

def test_sample_flow_shows_highlights_metrics_table_and_chart(sample_app, sample_text):
    at = sample_app
    report = at.session_state["report"]
    assert at.text_area(key="target_text").value == sample_text
    assert report.name == "mt_news_article_en.txt" and report.findings
    assert float(metric(at, "Score")) == pytest.approx(round(report.score, 1))
    assert int(metric(at, "Findings")) == len(report.findings)
    for severity in ("critical", "major", "minor"):
        assert int(metric(at, severity.capitalize())) == report.counts("severity").get(severity, 0)
    for category, n in report.counts("category").items():
        assert int(metric(at, category)) == n
    body = html_bodies(at)
    assert body.count("<mark ") >= len({(f.start, f.end) for f in report.findings}) // 2
    first = report.findings[0]
    assert f"[{first.severity}] {first.check}: " in body  # the hover text names the check and why
    table = at.dataframe[0].value
    assert len(table) == len(report.findings)
    assert list(table["check"]) == [f.check for f in report.findings]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_paste_flow(monkeypatch):
    at = new_app()
    at.text_area(key="target_text").set_value("The cat sat on the mat . It was happy.")
    at.selectbox(key="tgt_lang").set_value("en")
    click_check(at)
    assert not errors(at)
    report = at.session_state["report"]
    assert report.name == "pasted text" and report.tgt_lang == "en"
    assert "space-before-punctuation" in set(at.dataframe[0].value["check"])
    assert '<mark class="minor"' in html_bodies(at)


def test_a_language_model_that_cannot_load_is_a_warning_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("MTCHECK_APP_MODEL_FIELDS", "1")  # the operator lets visitors name a model
    at = new_app()
    set_checks(at, ["lm-fluency", "space-before-punctuation"])
    at.text_input(key="lm_model").set_value(str(tmp_path / "no-such-lm"))
    at.text_area(key="target_text").set_value("The council met on Tuesday . It approved the budget for next year.")
    at.selectbox(key="tgt_lang").set_value("en")
    click_check(at)
    assert not errors(at)
    report = at.session_state["report"]
    assert report.signature["config"]["lm_model"] == str(tmp_path / "no-such-lm")
    assert "space-before-punctuation" in {f.check for f in report.findings}
    assert any("lm-fluency skipped" in w.value and "does not exist" in w.value for w in at.warning)


def test_upload_flow_reads_like_the_cli(tmp_path):
    csv = "id,target\n1,The cat sat on the mat .\n2,Everything is fine here.\n"
    at = new_app()
    at.file_uploader(key="target_file_0").set_value(("units.csv", csv.encode(), "text/csv"))
    click_check(at)
    assert not errors(at)
    report = at.session_state["report"]
    assert report.name == "units.csv" and report.paired and [s.id for s in report.segments] == ["1", "2"]
    (tmp_path / "units.csv").write_text(csv, encoding="utf-8")
    cli_doc = load_input(str(tmp_path / "units.csv"))
    assert report.text == cli_doc.text
    assert "space-before-punctuation" in set(at.dataframe[0].value["check"])


@pytest.mark.parametrize("name", ["demo.xlf", "demo.po", "demo.tmx", "demo.srt"])
def test_upload_translation_formats(name):
    path = ROOT / "samples" / "formats" / name
    if not path.is_file():
        pytest.skip(f"{path} is not in this checkout")
    at = new_app()
    set_checks(at, ["space-before-punctuation", "doubled-word"])  # no models: keep it fast
    at.file_uploader(key="target_file_0").set_value((name, path.read_bytes(), "application/octet-stream"))
    click_check(at)
    assert not errors(at)
    report = at.session_state["report"]
    assert report.name == name and report.paired
    assert [s.text for s in report.segments] == [s.text for s in load_input(str(path)).segments]


def test_sample_button_clears_uploads(sample_text):
    at = new_app()
    at.file_uploader(key="target_file_0").set_value(("doc.txt", b"Uploaded text.", "text/plain"))
    at.button(key="sample").click().run()
    assert at.session_state["report"].name == "mt_news_article_en.txt"
    assert at.session_state["report"].text == sample_text


def test_upload_wins_over_pasted_text():
    at = new_app()
    at.text_area(key="target_text").set_value("Pasted text that is fine.")
    at.file_uploader(key="target_file_0").set_value(("doc.txt", b"Uploaded text ,with a problem.", "text/plain"))
    click_check(at)
    assert at.session_state["report"].name == "doc.txt"


@pytest.mark.slow  # loads the cross-lingual encoder
def test_bilingual_flow_side_by_side_with_similarity():
    at = new_app()
    at.file_uploader(key="target_file_0").set_value(("pairs.jsonl", PAIRS_JSONL.encode(), "application/json"))
    at.selectbox(key="src_lang").set_value("de")
    at.selectbox(key="tgt_lang").set_value("en")
    click_check(at)
    assert not errors(at)
    report = at.session_state["report"]
    assert views.is_bilingual(report) and "source-similarity" in report.checks_run
    body = html_bodies(at)
    assert 'class="mt-pairs"' in body and "<th>Similarity</th>" in body
    assert "Der Hund schläft im Garten." in body
    for seg in report.segments:
        assert f"{seg.similarity:.2f}" in body
    drifted = report.segments[1]
    assert drifted.similarity < report.segments[0].similarity


@pytest.mark.slow  # loads the cross-lingual encoder
def test_pasted_source_pairs_line_by_line():
    at = new_app()
    at.text_area(key="target_text").set_value("The dog sleeps in the garden.\nThe weather is nice today.")
    at.text_area(key="source_text").set_value("Der Hund schläft im Garten.\nDie Regierung hat das Gesetz beschlossen.")
    click_check(at)
    report = at.session_state["report"]
    assert [s.source for s in report.segments] == ["Der Hund schläft im Garten.", "Die Regierung hat das Gesetz beschlossen."]
    assert 'class="mt-pairs"' in html_bodies(at)


def test_filters_narrow_the_findings_table(sample_app):
    at = sample_app
    report = at.session_state["report"]
    minor = [f for f in report.findings if f.severity == "minor"]
    at.multiselect(key="f_severity").set_value(["minor"]).run()
    table = at.dataframe[0].value
    assert len(table) == len(minor) and set(table["severity"]) == {"minor"}
    check = minor[0].check
    at.multiselect(key="f_check").set_value([check]).run()
    table = at.dataframe[0].value
    assert set(table["check"]) == {check}
    assert len(table) == sum(f.check == check for f in minor)
    category = report.findings[0].category
    at.multiselect(key="f_severity").set_value([]).run()
    at.multiselect(key="f_check").set_value([]).run()
    at.multiselect(key="f_category").set_value([category]).run()
    assert len(at.dataframe[0].value) == sum(f.category == category for f in report.findings)


def test_sidebar_settings_reach_the_check(sample_app):
    at = sample_app
    minor_check = next(f.check for f in at.session_state["report"].findings if f.severity == "minor")
    at.toggle(key=f"check:{minor_check}").set_value(False)
    at.selectbox(key="min_severity").set_value("major")
    click_check(at)
    report = at.session_state["report"]
    assert minor_check not in report.checks_run
    assert all(f.severity != "minor" for f in report.findings)
    assert report.signature["config"]["min_severity"] == "major"


def test_sidebar_defaults_follow_mtcheck_toml(workdir):
    (workdir / "mtcheck.toml").write_text('[checks]\ndisable = ["doubled-word"]\nmin_severity = "major"\n', encoding="utf-8")
    at = new_app()
    assert "doubled-word" not in chosen_checks(at) and "space-before-punctuation" in chosen_checks(at)
    assert at.selectbox(key="min_severity").value == "major"
    (workdir / "mtcheck.toml").write_text("[checks]\nenable = 3\n", encoding="utf-8")
    at = new_app()
    assert any("mtcheck.toml ignored" in e for e in errors(at))
    assert chosen_checks(at) == default_checks()


def test_fail_under_shows_pass_or_fail(sample_app):
    at = sample_app
    score = at.session_state["report"].score
    at.number_input(key="fail_under").set_value(100.0).run()
    assert score < 100 and any(e.startswith("FAIL") for e in errors(at))
    at.number_input(key="fail_under").set_value(50.0).run()
    assert any(s.value.startswith("PASS") for s in at.success) and not errors(at)


# -- downloads: the bytes the CLI writes ------------------------------------------------------------------------------------

def _cli_bytes(tmp_path: Path, name: str, fmt: str) -> bytes:
    out = tmp_path / f"cli.{fmt}"
    assert cli.main(["check", name, "--format", fmt, "-o", str(out)]) == 0
    return out.read_bytes()


def test_downloads_are_the_bytes_the_cli_writes(tmp_path):
    text = "The cat sat on the mat . It said :\"hello\".\n\nPrices rose ,, again."
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    at = new_app()
    at.file_uploader(key="target_file_0").set_value(("doc.txt", text.encode(), "text/plain"))
    click_check(at)
    report = at.session_state["report"]
    files = {d.file_name.rsplit(".", 1)[-1]: d for d in views.downloads(report)}
    assert set(files) == {"json", "csv", "html"}
    for fmt, item in files.items():
        cli_out = _cli_bytes(tmp_path, "doc.txt", fmt)
        if fmt == "json":  # everything but the run's timings
            app_json, cli_json = json.loads(item.data), json.loads(cli_out)
            app_json.pop("timings"), cli_json.pop("timings")
            assert app_json == cli_json
            assert item.data == render(report, "json").encode("utf-8")
        else:
            assert item.data == cli_out
    # the buttons on the page serve exactly these bytes (Streamlit names media files by a hash of their content)
    from streamlit.runtime.media_file_storage import MediaFileKind
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    store = MemoryMediaFileStorage("/mock/media")
    buttons = {b.label: b.proto.url for b in at.get("download_button")}
    for item in files.values():
        fid = store.load_and_get_id(item.data, item.mime, MediaFileKind.DOWNLOADABLE, item.file_name)
        assert buttons[item.label] == store.get_url(fid)


def test_written_download_equals_cli_write_path(tmp_path, light_report):
    for item in views.downloads(light_report):
        fmt = item.file_name.rsplit(".", 1)[-1]
        path = tmp_path / f"out.{fmt}"
        write_atomic(str(path), render(light_report, fmt))
        assert path.read_bytes() == item.data


# -- errors: one clear line, never a traceback ------------------------------------------------------------------------------

def test_empty_input_is_an_error():
    at = click_check(new_app())
    assert errors(at) == ["nothing to check: paste a translation, upload a file or try the sample"]
    assert "report" not in at.session_state


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("blob.txt", b"\x00\x01\x02binary\x00data", "looks like a binary file"),
    ("latin.txt", "Café crème".encode("latin-1"), "not valid UTF-8"),
    ("bad.jsonl", b'{"target": "ok"}\n{not json\n', "bad.jsonl: line 2: not valid JSON"),
    ("bad.csv", b"source,text\na,b\n", "bad.csv: header must have a 'target' column"),
    ("blank.txt", b"   \n\n", "blank.txt: is empty"),
    ("report.docx", b"PK\x03\x04not really a docx", "report.docx: unsupported file type"),
    ("big.txt", b"word " * (MAX_BYTES // 5 + 1), "over the page's 5 MB limit"),
])
def test_bad_uploads_are_clear_errors(name, data, expected):
    at = new_app()
    at.file_uploader(key="target_file_0").set_value((name, data, "application/octet-stream"))
    click_check(at)
    assert len(errors(at)) == 1 and expected in errors(at)[0]
    assert "/tmp" not in errors(at)[0] and "mtcheck-app-" not in errors(at)[0]
    assert not at.get("download_button")


def test_no_checks_selected_is_an_error():
    at = new_app()
    set_checks(at, [])
    at.text_area(key="target_text").set_value("Some text.")
    click_check(at)
    assert errors(at) == ["no checks selected: choose at least one in the sidebar"]


def test_a_crash_is_shown_as_an_error(monkeypatch):
    import checker

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checker.pipeline, "collect", boom)
    at = new_app()
    at.text_area(key="target_text").set_value("Some text.")
    click_check(at)
    assert errors(at) == ["the check crashed: RuntimeError: disk on fire"]


# -- the pieces under the page ----------------------------------------------------------------------------------------------

def test_load_document_matches_load_input(tmp_path):
    data = PAIRS_JSONL.encode()
    (tmp_path / "pairs.jsonl").write_bytes(data)
    doc = load_document(Upload("pairs.jsonl", data), src_lang="de", tgt_lang="en")
    ref = load_input(str(tmp_path / "pairs.jsonl"), "de", "en")
    assert doc.name == "pairs.jsonl"
    assert [(s.id, s.source, s.text) for s in doc.segments] == [(s.id, s.source, s.text) for s in ref.segments]


def test_load_document_keeps_only_the_file_name():
    doc = load_document(Upload("../../etc/evil.txt", b"Hello there."), tgt_lang="en")
    assert doc.name == "evil.txt"
    with pytest.raises(InputError, match="nothing to check"):
        load_document(None)


def test_page_config_runs_exactly_the_selection(monkeypatch):
    monkeypatch.delenv("MTCHECK_MODEL", raising=False)
    cfg = page_config(["space-before-punctuation", "context-outlier"], "major", "  ")
    assert "context-outlier" in cfg.enable and "doubled-word" in cfg.disable
    assert cfg.min_severity == "major" and cfg.embedding_model is None
    assert page_config(["doubled-word"], embedding_model=" /models/x ").embedding_model == "/models/x"
    assert page_config(["lm-fluency"], lm_model=" /models/lm ").lm_model == "/models/lm"
    base = load_defaults()
    cli_config = cli.config_from_args(cli.build_parser().parse_args(["check", "x"]))
    assert page_config(default_checks(base), base=base).signature() == cli_config.signature()
    with pytest.raises(ValueError, match="unknown check"):
        page_config(["no-such-check"])


def test_filter_findings_empty_pick_keeps_all(light_report):
    frame = views.findings_frame(light_report)
    assert len(frame) == len(light_report.findings) > 0
    assert views.filter_findings(frame).equals(frame)
    assert views.filter_findings(frame, severities=["critical", "major", "minor"]).equals(frame)


def test_app_command_line(monkeypatch, capsys):
    command = cli.app_command(8502, "127.0.0.1")
    assert command[1:4] == ["-m", "streamlit", "run"] and Path(command[4]).name == "streamlit_app.py"
    assert command[command.index("--server.port") + 1] == "8502"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert cli.main(["app", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err
    calls = []  # Streamlit takes the process's place: os.execve, never a child process
    monkeypatch.setattr("os.execve", lambda path, cmd, env: calls.append((path, cmd, env)))
    assert cli.main(["app", "--port", "8600"]) == 0
    path, cmd, env = calls[0]
    assert path == cmd[0] and cmd[cmd.index("--server.port") + 1] == "8600" and env["HF_HUB_OFFLINE"]


# -- what a new user hits first (issue 14) --------------------------------------------------------------------------------

SIX_PO = ('msgid ""\nmsgstr ""\n"Language: de\\n"\n\n#, c-format\nmsgid "Open the file"\nmsgstr "Die Datei öffnen"\n\n'
          '#, c-format\nmsgid "Copied %s to %s."\nmsgstr "%s kopiert."\n\n'
          + "".join(f'msgid "Item {i} of the list is ready for you to print"\nmsgstr "Eintrag {i} der Liste ist bereit zum '
                    f'Drucken"\n\n' for i in range(4)))


def po_app(checks=("placeholder-mismatch", "inline-tags", "space-before-punctuation")) -> AppTest:
    at = new_app()
    set_checks(at, checks)
    at.file_uploader(key="target_file_0").set_value(("six.po", SIX_PO.encode(), "text/x-po"))
    return click_check(at)


def test_po_side_by_side_names_each_entry_by_a_short_id_and_wraps_long_text():
    at = po_app()
    report = at.session_state["report"]
    assert [s.id for s in report.segments][1] == "Copied %s to %s."  # a PO entry's id is its msgid
    body = html_bodies(at)
    assert '<td class="num" title="Copied %s to %s.">2</td>' in body  # its number, the msgid on hover
    assert "table-layout:fixed" in body and '<col class="id">' in body and "overflow-wrap:anywhere" in body
    assert list(at.dataframe[0].value["sentence"]) == ["2"]
    assert views.segment_label(report.segments[1]) == "2"
    units = load_input(str(ROOT / "samples" / "formats" / "demo.xlf")).segments
    assert views.segment_label(units[0]) == "welcome"  # short ids stay


def test_a_sentence_that_scores_zero_gets_a_bar_in_the_poor_colour():
    at = po_app()
    report = at.session_state["report"]
    assert report.segments[1].score == 0 and report.score == pytest.approx(500 / 6, abs=0.01)
    frame = views.segment_frame(report)
    row = frame.iloc[1]
    assert (row["score"], row["bar"], row["band"]) == (0.0, views.MIN_BAR, "poor")
    spec = json.loads((at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0].proto.spec)
    assert spec["encoding"]["y"]["field"] == "bar" and spec["encoding"]["color"]["scale"]["range"][2] == "#e53935"
    assert "score" in [t["field"] for t in spec["encoding"]["tooltip"]]


def test_the_findings_table_wraps_its_text_and_shows_a_selected_row_in_full(sample_app):
    at = sample_app
    table = at.dataframe[0]
    assert table.proto.row_height > 64  # Streamlit wraps cell text from 4rem
    assert not at.get("markdown") or not any("**Why:**" in m.value for m in at.markdown)
    at.session_state["findings_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    first = at.session_state["report"].findings[0]
    detail = next(m.value for m in at.markdown if "**Why:**" in m.value)
    assert f"**Why:** {first.message}" in detail and f"`{first.check}`" in detail
    if first.suggestion:
        assert f"**Suggestion:** {first.suggestion}" in detail


def test_a_new_check_starts_the_table_filters_afresh(sample_app):
    at = sample_app
    at.multiselect(key="f_severity").set_value(["minor"]).run()
    at.multiselect(key="f_check").set_value([at.session_state["report"].findings[0].check]).run()
    at.session_state["findings_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.text_area(key="target_text").set_value("Prices rose again ,, and the the plan failed. Officials said :\"no\".")
    at.selectbox(key="tgt_lang").set_value("en")
    click_check(at)
    assert at.multiselect(key="f_severity").value == [] and at.multiselect(key="f_check").value == []
    assert len(at.dataframe[0].value) == len(at.session_state["report"].findings)  # nothing hidden, a critical neither
    assert not any("**Why:**" in m.value for m in at.markdown)


def test_the_checks_are_grouped_by_category_with_toggles():
    at = new_app()
    groups = settings.check_groups()
    assert list(groups)[:2] == ["accuracy", "fluency"]
    assert [e.label for e in at.sidebar.expander] == [
        f"{settings.GROUP_LABELS[g]} · {len(ids)} check{'s' * (len(ids) != 1)}" for g, ids in groups.items()]
    assert "Locale · 1 check" in [e.label for e in at.sidebar.expander]
    assert {t.key for t in at.sidebar.toggle} == {f"check:{cid}" for cid in all_checks()}
    assert chosen_checks(at) == default_checks(load_defaults())
    fluency = groups["fluency"]
    at.button(key="all_off:fluency").click().run()
    assert not set(fluency) & set(chosen_checks(at))
    at.button(key="all_on:fluency").click().run()
    assert set(fluency) <= set(chosen_checks(at))
    at.button(key="default_checks").click().run()
    assert chosen_checks(at) == default_checks(load_defaults())


def test_minimum_severity_filters_the_report_without_checking_again(sample_app, monkeypatch, tmp_path):
    at = sample_app
    run, full = at.session_state["check_run"], at.session_state["report"]
    assert {f.severity for f in full.findings} >= {"minor", "major"}

    def no_new_check(*args, **kwargs):
        raise AssertionError("the checks ran again")

    with monkeypatch.context() as patched:
        patched.setattr("checker.pipeline.collect", no_new_check)
        at.selectbox(key="min_severity").set_value("major").run()
    assert not at.exception and not errors(at)
    report = at.session_state["report"]
    assert at.session_state["check_run"] is run
    assert report.findings and all(f.severity != "minor" for f in report.findings)
    assert [f.check for f in report.findings] == [f.check for f in full.findings if f.severity != "minor"]
    assert report.signature["config"]["min_severity"] == "major" and report.score >= full.score
    assert len(at.dataframe[0].value) == len(report.findings)
    # the same report the command line gives with --min-severity major
    (tmp_path / "sample.txt").write_text(report.text, encoding="utf-8")
    out = tmp_path / "cli.json"
    assert cli.main(["check", str(tmp_path / "sample.txt"), "--min-severity", "major", "--format", "json",
                     "-o", str(out)]) == 0
    cli_json, app_json = json.loads(out.read_text(encoding="utf-8")), json.loads(render(report, "json"))
    for d in (cli_json, app_json):
        d.pop("timings"), d.pop("name")
    assert app_json == cli_json
    at.selectbox(key="min_severity").set_value("minor").run()
    assert [f.check for f in at.session_state["report"].findings] == [f.check for f in full.findings]


def test_model_fields_are_hidden_unless_the_operator_shows_them(monkeypatch):
    at = new_app()
    assert not at.sidebar.text_input  # nobody who reaches the page can point a model at a folder
    monkeypatch.setenv("MTCHECK_APP_MODEL_FIELDS", "1")
    at = new_app()
    assert {t.key for t in at.sidebar.text_input} == {"model", "lm_model"}
    calls = []
    monkeypatch.setattr("os.execve", lambda path, cmd, env: calls.append(env))
    monkeypatch.delenv("MTCHECK_APP_MODEL_FIELDS")
    assert cli.main(["app", "--model-fields"]) == 0 and calls[0]["MTCHECK_APP_MODEL_FIELDS"] == "1"
    assert cli.main(["app"]) == 0 and "MTCHECK_APP_MODEL_FIELDS" not in calls[1]


def test_an_unsupported_file_on_the_page_names_no_command_line_flag():
    at = new_app()
    at.file_uploader(key="target_file_0").set_value(("report.docx", b"PK\x03\x04", "application/octet-stream"))
    click_check(at)
    (message,) = errors(at)
    assert "unsupported file type '.docx'" in message and "--" not in message


def test_the_score_tooltip_says_which_score_it_is_and_its_bands():
    from dataclasses import replace

    import checker

    plain = checker.check_text("The committee approved the budget .", tgt_lang="en", disable=["learned-quality"])
    assert "penalties" in views.score_help(plain) and "good from 90" in views.score_help(plain)
    learned = replace(plain, penalty_score=99.0, bands=(70.0, 50.0))
    assert "human judgements" in views.score_help(learned) and "99.0" in views.score_help(learned)
    low = replace(learned, segments=[replace(plain.segments[0], score=60.0)])
    assert list(views.segment_frame(low)["band"]) == ["fair"]  # 60 is fair on the learned scale, poor on the penalty one
    assert list(views.segment_frame(replace(low, bands=(90.0, 70.0)))["band"]) == ["poor"]
