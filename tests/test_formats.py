"""Translation file readers (XLIFF 1.2/2.0, PO, TMX, SRT), their errors, and --annotate."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import FORMAT_CHECKS, FORMAT_SAMPLES, ROOT
from lxml import etree

from checker.config import Config
from checker.io.formats import iter_units
from checker.io.readers import InputError, detect_format, load_input
from checker.pipeline import run_checks


def mtcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


# -- readers --------------------------------------------------------------------------
def test_xliff12_units_ids_states_tags_and_languages():
    units = list(iter_units(FORMAT_SAMPLES / "demo.xlf"))
    assert [u["id"] for u in units] == ["welcome", "save", "files", "logout", "delete", "help", "welcome-again", "upload"]
    assert "brand" not in [u["id"] for u in units]  # translate="no"
    states = {u["id"]: u["state"] for u in units}
    assert states["logout"] == "fuzzy" and states["delete"] == "empty" and states["help"] == "untranslated"
    assert units[1]["source"] == "Click {g1}Save{/g1} to keep your changes."
    assert units[2]["target"] == "Sie haben {x1} neue Dateien in {x2}."
    assert (units[0]["src_lang"], units[0]["tgt_lang"]) == ("en", "de")


def test_xliff20_units():
    units = list(iter_units(FORMAT_SAMPLES / "demo20.xlf"))
    assert [u["id"] for u in units] == ["u1", "u2", "u3", "u4", "u5", "u6"]
    assert units[0]["target"] == "Appuyez sur {pc1}Démarrer{/pc1} pour commencer."
    assert [u["state"] for u in units[2:4]] == ["fuzzy", "untranslated"]
    assert (units[0]["src_lang"], units[0]["tgt_lang"]) == ("en", "fr")


def test_po_units_and_header_language():
    units = list(iter_units(FORMAT_SAMPLES / "demo.po"))
    assert len(units) == 6
    assert units[2]["state"] == "fuzzy" and units[3]["state"] == "untranslated"
    assert units[0]["tgt_lang"] == "de"
    assert units[1]["source"] == "Deleted %(count)d files from %(folder)s."


def test_tmx_units_pick_languages_from_header_and_tuv():
    units = list(iter_units(FORMAT_SAMPLES / "demo.tmx"))
    assert [u["id"] for u in units] == ["t1", "t2", "t3", "t4"]
    assert units[1]["source"] == "Press {bpt1}OK{/bpt1} to continue."
    assert units[2]["state"] == "untranslated"
    assert (units[0]["src_lang"], units[-1]["tgt_lang"]) == ("en", "es")


def test_srt_cues_are_units_with_timing():
    doc = load_input(str(FORMAT_SAMPLES / "demo.srt"), tgt_lang="en")
    assert [s.id for s in doc.segments] == ["1", "2", "3"]
    assert doc.segments[2].text == "Tonight we talk about\nthe the weather."
    assert doc.segments[1].extra["state"] == "empty"
    assert doc.segments[0].extra["time"] == "00:00:01,000 --> 00:00:03,500"


def test_document_offsets_point_into_each_unit():
    doc = load_input(str(FORMAT_SAMPLES / "demo.xlf"))
    for seg in doc.segments:
        assert doc.text[seg.start:seg.end] == seg.text
    assert doc.src_lang == "en" and doc.tgt_lang == "de" and doc.paired


def test_streaming_reader_yields_before_the_file_ends(tmp_path):
    body = "".join(f'<trans-unit id="{i}"><source>a</source><target>b</target></trans-unit>' for i in range(3))
    p = tmp_path / "cut.xlf"
    p.write_text(f'<xliff version="1.2"><file source-language="en"><body>{body}<trans-unit id="x"><source>', "utf-8")
    it = iter_units(p)
    assert [next(it)["id"] for _ in range(3)] == ["0", "1", "2"]
    with pytest.raises(InputError, match="malformed XML"):
        next(it)


def test_entities_are_not_expanded(tmp_path):
    p = tmp_path / "xxe.xlf"
    p.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                 '<xliff version="1.2"><file><body><trans-unit id="1"><source>a</source>'
                 '<target>&e;</target></trans-unit></body></file></xliff>', "utf-8")
    (unit,) = iter_units(p)
    assert "root:" not in unit["target"]


def test_detect_format_by_extension_and_unsupported_extension():
    assert [detect_format(f"a{e}") for e in (".xlf", ".xliff", ".po", ".pot", ".tmx", ".srt")] == \
        ["xliff", "xliff", "po", "po", "tmx", "srt"]
    with pytest.raises(InputError, match=r"unsupported file type '\.docx'"):
        detect_format("report.docx")
    with pytest.raises(InputError, match="unknown input format"):
        detect_format("a.txt", "docx")


# -- CLI errors ----------------------------------------------------------------------
@pytest.mark.parametrize("name, content, message", [
    ("bad.xlf", "<xliff version='1.2'><file><body><trans-unit id='1'><source>a</body></file></xliff>", "malformed XML"),
    ("empty.xlf", "<xliff version='1.2'><file source-language='en'><body/></file></xliff>", "no translatable units"),
    ("empty.tmx", "<tmx version='1.4'><header srclang='en'/><body/></tmx>", "no translatable units"),
    ("wrong.tmx", "<xliff version='1.2'/>", "not a TMX file"),
    ("page.xlf", "<html><body><p>hi</p></body></html>", "not an XLIFF file"),
    ("blank.po", "", "file is empty"),
    ("empty.po", 'msgid ""\nmsgstr ""\n"Language: de\\n"\n', "no translatable units"),
    ("bad.srt", "hello\nworld\n", "malformed SRT"),
    ("doc.docx", "PK", "unsupported file type"),
])
def test_bad_inputs_give_one_line_errors_and_exit_2(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_text(content, "utf-8")
    r = mtcheck("check", str(p), "--only", "unit-state")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and message in r.stderr and "Traceback" not in r.stderr


def test_unknown_input_format_exits_2():
    r = mtcheck("check", str(FORMAT_SAMPLES / "demo.po"), "--input-format", "docx")
    assert r.returncode == 2 and "invalid choice" in r.stderr and "Traceback" not in r.stderr


# -- --annotate ----------------------------------------------------------------------
def _annotate(tmp_path, name: str):
    src = FORMAT_SAMPLES / name
    before = src.read_bytes()
    out = tmp_path / f"annotated-{name}"
    r = mtcheck("check", str(src), "--only", ",".join(FORMAT_CHECKS), "--glossary", str(FORMAT_SAMPLES / "glossary.csv"),
                "--format", "json", "--annotate", str(out))
    assert r.returncode == 0, r.stderr
    assert src.read_bytes() == before  # the input is never modified
    return out


@pytest.mark.parametrize("name", ["demo.xlf", "demo20.xlf", "demo.tmx"])
def test_annotate_xml_round_trips(tmp_path, name):
    out = _annotate(tmp_path, name)
    assert [(u["id"], u["source"], u["target"]) for u in iter_units(out)] == \
        [(u["id"], u["source"], u["target"]) for u in iter_units(FORMAT_SAMPLES / name)]
    notes = [n.text for n in etree.parse(str(out)).iter("{*}note")]
    assert any("unit-state" in n for n in notes) and all(n.startswith("mtcheck ") for n in notes)


def test_annotate_xliff12_note_on_the_right_unit(tmp_path):
    out = _annotate(tmp_path, "demo.xlf")
    root = etree.parse(str(out)).getroot()
    unit = next(u for u in root.iter("{*}trans-unit") if u.get("id") == "help")
    (note,) = [n for n in unit.iter("{*}note")]
    assert note.get("from") == "mtcheck" and "unit-state" in note.text and "target 0-0" in note.text


def test_annotate_po_round_trips(tmp_path):
    from translate.storage import pypo

    out = _annotate(tmp_path, "demo.po")
    orig = [u for u in pypo.pofile((FORMAT_SAMPLES / "demo.po").read_bytes()).units if not u.isheader()]
    new = [u for u in pypo.pofile(out.read_bytes()).units if not u.isheader()]
    assert [(u.source, u.target, u.isfuzzy()) for u in new] == [(u.source, u.target, u.isfuzzy()) for u in orig]
    notes = {u.source: u.getnotes("translator") for u in new}
    assert "inline-tags" in notes["Copied %s to %d places."] and notes["Open file"] == ""
    # apart from the added comment lines the file is byte for byte the same
    added = [ln for ln in out.read_text("utf-8").splitlines() if ln.startswith("# mtcheck ")]
    kept = [ln for ln in out.read_text("utf-8").splitlines() if not ln.startswith("# mtcheck ")]
    assert added and kept == (FORMAT_SAMPLES / "demo.po").read_text("utf-8").splitlines()


def test_annotate_refuses_formats_without_notes_and_the_input_path(tmp_path):
    r = mtcheck("check", str(FORMAT_SAMPLES / "demo.srt"), "--annotate", str(tmp_path / "x.srt"))
    assert r.returncode == 2 and "cannot carry" in r.stderr
    r = mtcheck("check", str(FORMAT_SAMPLES / "demo.po"), "--annotate", str(FORMAT_SAMPLES / "demo.po"))
    assert r.returncode == 2 and "must not name the input file" in r.stderr


def test_xliff12_groups_and_xliff2_multi_segment_units(tmp_path):
    p = tmp_path / "g.xlf"
    p.write_text('<xliff version="1.2"><file source-language="en-US" target-language="de-DE"><body><group id="g">'
                 '<trans-unit id="a"><source>One.</source><target>Eins.</target></trans-unit></group>'
                 '<trans-unit id="b"><source>Two.</source><target state="needs-translation">Zwei.</target>'
                 '<alt-trans><target>Zwo.</target></alt-trans></trans-unit></body></file></xliff>', "utf-8")
    units = list(iter_units(p))
    assert [(u["id"], u["target"], u["state"]) for u in units] == [("a", "Eins.", "translated"), ("b", "Zwei.", "fuzzy")]
    doc = load_input(str(p))
    assert (doc.src_lang, doc.tgt_lang) == ("en", "de")
    p = tmp_path / "m.xlf"
    p.write_text('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">'
                 '<file id="f"><unit id="u"><segment><source>A.</source><target>B.</target></segment>'
                 '<ignorable><source> </source><target> </target></ignorable>'
                 '<segment><source>C <cp hex="0009"/>x.</source><target>D.</target></segment></unit></file></xliff>', "utf-8")
    (unit,) = iter_units(p)
    assert (unit["source"], unit["target"]) == ("A. C \tx.", "B. D.")


def test_tmx_target_language_can_be_chosen(tmp_path):
    p = tmp_path / "multi.tmx"
    p.write_text('<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>Hi</seg></tuv>'
                 '<tuv xml:lang="fr"><seg>Salut</seg></tuv><tuv xml:lang="de"><seg>Hallo</seg></tuv></tu></body></tmx>', "utf-8")
    assert next(iter_units(p))["target"] == "Salut"
    doc = load_input(str(p), tgt_lang="de")
    assert doc.segments[0].text == "Hallo" and doc.segments[0].id == "1" and doc.tgt_lang == "de"


def test_po_batches_plural_and_context(tmp_path):
    from checker.io.formats import po

    entries = "".join(f'msgid "Item {i}"\nmsgstr "Eintrag {i}"\n\n' for i in range(po.BATCH + 10))
    plural = 'msgctxt "menu"\nmsgid "One file"\nmsgid_plural "%d files"\nmsgstr[0] "Eine Datei"\nmsgstr[1] "%d Dateien"\n'
    p = tmp_path / "big.po"
    p.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n' + entries + plural, "utf-8")
    units = list(iter_units(p))
    assert len(units) == po.BATCH + 12 and units[-3]["target"] == f"Eintrag {po.BATCH + 9}"
    one, many = units[-2:]  # a plural entry gives one unit per form
    assert one["id"] == "menu|One file" and one["target"] == "Eine Datei" and one["context"] == "menu"
    assert (one["source"], one["plural_form"]) == ("One file", 0)
    assert (many["id"], many["source"], many["target"], many["plural_form"]) == ("menu|One file[1]", "%d files", "%d Dateien", 1)
    assert units[0]["tgt_lang"] == "fr"


PLURALS_PO = ('msgid ""\nmsgstr ""\n"Language: de\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
              'msgid "Save"\nmsgstr "Speichern"\n\n'
              'msgid "%d file deleted"\nmsgid_plural "%d files deleted"\nmsgstr[0] "%d Datei gelöscht"\n'
              'msgstr[1] "Dateien gelöscht"\n\n'
              'msgid "One item"\nmsgid_plural "%d items"\nmsgstr[0] "Ein Eintrag"\nmsgstr[1] ""\n')


def test_po_plural_forms_are_checked_and_annotated_one_by_one(tmp_path):
    p = tmp_path / "plurals.po"
    p.write_text(PLURALS_PO, "utf-8")
    out = tmp_path / "plurals.checked.po"
    r = mtcheck("check", str(p), "--only", "placeholder-mismatch,unit-state", "--format", "json", "--annotate", str(out))
    assert r.returncode == 0, r.stderr
    found = {(f["check"], f["segment"]) for f in json.loads(r.stdout)["findings"]}
    # msgstr[1] lost the %d of msgid_plural; the second form of the last entry is untranslated
    assert ("placeholder-mismatch", 2) in found and ("unit-state", 4) in found
    assert not any(seg in (0, 1, 3) for _, seg in found)
    annotated = out.read_text("utf-8")
    # notes go before their entry and name the form
    assert annotated.index("# msgstr[1]: mtcheck critical placeholder-mismatch") < annotated.index('msgid "%d file deleted"')
    assert annotated.count("# msgstr[1]: mtcheck ") == annotated.count("mtcheck ") == len(found)
    assert p.read_text("utf-8") == PLURALS_PO  # the input is never modified


def test_stdin_with_input_format():
    r = subprocess.run([sys.executable, "-m", "checker", "check", "-", "--input-format", "tmx", "--only", "unit-state",
                        "--format", "jsonl"], input=(FORMAT_SAMPLES / "demo.tmx").read_text("utf-8"), capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert '"id": "t3"' in r.stdout and "unit-state" in r.stdout


def test_inline_codes_cause_no_findings_in_the_other_checks():
    """A file whose tags and placeholders are all correct: no check may flag anything (model checks left out)."""
    doc = load_input(str(FORMAT_SAMPLES / "tags_clean.xlf"))
    assert "{x1}" in doc.segments[0].text and doc.segments[0].extra["protected_spans"]
    report = run_checks(doc, Config(disable=["source-similarity", "sentence-alignment", "lm-fluency", "learned-quality"]))
    assert report.errors == []
    assert [(report.segments[f.segment].id, f.check, f.text) for f in report.findings] == []


def test_annotate_jsonl_adds_a_list_per_line(tmp_path):
    import json

    src = tmp_path / "pairs.jsonl"
    src.write_text('{"id": "a", "source": "Open {0}.", "target": "Öffnen."}\n\n'
                   '{"id": "b", "source": "Close.", "target": "Schließen."}\n', "utf-8")
    before = src.read_bytes()
    out = tmp_path / "out.jsonl"
    r = mtcheck("check", str(src), "--only", "inline-tags", "--src-lang", "en", "--tgt-lang", "de", "--annotate", str(out))
    assert r.returncode == 0, r.stderr
    assert src.read_bytes() == before
    rows = [json.loads(ln) for ln in out.read_text("utf-8").splitlines() if ln.strip()]
    assert [(o["id"], o["target"]) for o in rows] == [("a", "Öffnen."), ("b", "Schließen.")]
    assert "inline-tags" in rows[0]["mtcheck"][0] and "source 5-8" in rows[0]["mtcheck"][0] and "mtcheck" not in rows[1]


def test_annotate_tsv_adds_a_column(tmp_path):
    import csv

    out = _annotate(tmp_path, "demo.tsv")
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline=""), delimiter="\t"))
    orig = list(csv.DictReader((FORMAT_SAMPLES / "demo.tsv").open(encoding="utf-8", newline=""), delimiter="\t"))
    assert [(r["id"], r["source"], r["target"]) for r in rows] == [(r["id"], r["source"], r["target"]) for r in orig]
    assert "inline-tags" in rows[0]["mtcheck"] and rows[1]["mtcheck"] == "" and "consistency" in rows[3]["mtcheck"]
