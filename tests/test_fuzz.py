"""Hostile input: every reader and the check pipeline give a one-line InputError or a valid report.

Never another exception, a hang or a silently dropped record; findings' offsets
always lie inside the text and ``text[start:end] == finding.text``.

Deterministic: hypothesis runs derandomized with a bounded number of examples.
``HYPOTHESIS_PROFILE=deep`` runs many more (used for the counts in docs/corpora.md).
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import checker
from checker.errors import InputError
from checker.io.files import read_text_bytes
from checker.io.readers import load_input, parse_delimited, parse_jsonl
from checker.io.stream import iter_records
from checker.pipeline import run_checks
from checker.render import render
from checker.render.records import segment_records
from checker.segment import build_document
from checker.selection import all_checks
from checker.values import Report

settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large])
settings.register_profile("deep", parent=settings.get_profile("ci"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

try:
    from checker.io.formats import iter_units as iter_format_units
    from checker.io.formats import load_units_document
except ImportError:  # the translation-format readers are optional here
    iter_format_units = load_units_document = None
needs_formats = pytest.mark.skipif(iter_format_units is None, reason="checker.io.formats (XLIFF/PO/TMX/SRT) not present")

# -- strategies ----------------------------------------------------------------------------

COMBINING = "\u0301\u0308\u0327\u035c\u20dd"
RTL = "\u05d0\u05d1\u0627\u0644\u200f\u202e\u202b\u2067"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
QUOTES = "\"'`\u00ab\u00bb\u201e\u201c\u201d\u2018\u2019\u201a\u2039\u203a\u300c\u300d\uff02"
BREAKS = "\n\r\t\x0b\x0c\x1c\x85\u2028\u2029"
EMOJI = ["\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f1e9\U0001f1ea"]
WORDS = ["the", "Haus", "ganz", "ganz", "Tag", ".", ",", "!", "?", "...", "(", ")", "[", "]", "{", "}", "%", "5",
         "3,5", "€", "https://x.y/z", "{0}", "%s", "<b>", "</b>", "&amp;", "Ã©", "�", "\\", "日本語", "。", "、"]

#: characters that make text hard: marks, bidi controls, zero-width, quotes, odd line breaks, emoji
hostile_chars = st.one_of(
    st.sampled_from(COMBINING + RTL + ZERO_WIDTH + QUOTES + BREAKS + " .,;:!?()[]"),
    st.sampled_from(["\U0001f600", "\U0001f3fd", "\U0001f1e9", "\u200d"]),
    st.characters(codec="utf-8"),
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),
)
hostile_text = st.one_of(
    st.text(hostile_chars, max_size=300),
    st.lists(st.one_of(st.sampled_from(WORDS + EMOJI), st.text(hostile_chars, min_size=1, max_size=4)), max_size=60)
      .map(" ".join),
    st.lists(st.sampled_from(QUOTES + " ab.\n"), max_size=120).map("".join),  # mismatched quotes everywhere
)
#: str that may hold lone surrogates: valid Python text, impossible to encode as UTF-8
surrogate_text = st.text(st.one_of(hostile_chars, st.characters(categories=["Cs"])), max_size=200)


def encoded(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return strategy.map(lambda s: s.encode("utf-8"))


raw_bytes = st.one_of(st.binary(max_size=2000), encoded(hostile_text))


# -- the rule --------------------------------------------------------------------------------


def assert_valid_report(report: Report, allow_check_errors: bool = False) -> None:
    """Offsets inside the text, spans that match, scores in range, every renderer works."""
    text = report.text
    assert 0 <= report.score <= 100
    for seg in report.segments:
        assert 0 <= seg.start <= seg.end <= len(text)
        assert text[seg.start:seg.end] == seg.text
        assert 0 <= seg.score <= 100
    for f in report.findings:
        assert f.start <= f.end
        if f.side == "target":
            assert 0 <= f.start <= f.end <= len(text), f
            assert text[f.start:f.end] == f.text, f
            if report.paired:  # a pair's findings index its own target (JSONL records re-base them)
                seg = report.segments[f.segment]
                assert seg.start <= f.start <= f.end <= seg.end, (f, seg)
        else:
            src = report.segments[f.segment].source or ""
            assert src[f.start:f.end] == f.text, f
    if not allow_check_errors:
        assert not [e for e in report.errors if e.startswith("check ")], report.errors
    records = segment_records(report)
    assert len(records) == len(report.segments)
    json.dumps(records, ensure_ascii=True)
    for fmt in ("json", "csv", "html"):
        render(report, fmt)


def one_line(exc: InputError) -> None:
    assert str(exc) and "\n" not in str(exc)


# -- readers ---------------------------------------------------------------------------------


@given(raw_bytes)
def test_plain_text_reader(data):
    try:
        text = read_text_bytes(data, "fuzz.txt")
    except InputError as exc:
        one_line(exc)
        return
    doc = build_document(text, "en")
    for seg in doc.segments:
        assert text[seg.start:seg.end] == seg.text and seg.text.strip()


def jsonl_bytes() -> st.SearchStrategy[bytes]:
    unit = st.fixed_dictionaries({"target": hostile_text}, optional={"source": hostile_text, "id": st.integers() | hostile_text})
    valid = st.lists(unit, min_size=1, max_size=8).map(lambda us: "\n".join(json.dumps(u, ensure_ascii=False) for u in us))
    mangled = st.tuples(valid, st.integers(0, 400), st.sampled_from(['"', "{", "}", "\n", "\\", "\x00", "\u2028", ""]))
    return st.one_of(encoded(valid), encoded(mangled.map(lambda t: t[0][:t[1]] + t[2] + t[0][t[1]:])), raw_bytes)


@given(jsonl_bytes())
def test_jsonl_readers_agree_and_lose_nothing(data):
    try:
        units = parse_jsonl(read_text_bytes(data, "f.jsonl"), "f.jsonl")
    except InputError as exc:
        one_line(exc)
        units = None
    try:
        streamed = [r.unit for r in iter_records(io.BytesIO(data), "f.jsonl", "jsonl")]
    except InputError as exc:
        one_line(exc)
        streamed = None
    assert (units is None) == (streamed is None)  # both readers accept the same files...
    if units is not None:
        assert streamed == units  # ...and read the same records from them
    if streamed is None:
        recs = None
        try:
            recs = list(iter_records(io.BytesIO(data), "f.jsonl", "jsonl", skip_bad=True))
        except InputError as exc:
            one_line(exc)
        if recs:
            assert all((r.unit is None) != (r.error is None) for r in recs)


def delimited_bytes(sep: str) -> st.SearchStrategy[bytes]:
    cell = st.one_of(hostile_text, st.sampled_from(['"', '""', f'"a{sep}b"', '"multi\nline"', ""]))
    rows = st.lists(st.lists(cell, min_size=1, max_size=4).map(sep.join), max_size=8)
    header = st.sampled_from([f"source{sep}target", f"id{sep}source{sep}target", "target", f"TARGET {sep} x", "a,b"])
    return st.one_of(encoded(st.tuples(header, rows).map(lambda t: "\n".join([t[0], *t[1]]))), raw_bytes)


@pytest.mark.parametrize("sep", [",", "\t"])
@given(data=st.data())
def test_delimited_readers(sep, data):
    raw = data.draw(delimited_bytes(sep))
    kind = "csv" if sep == "," else "tsv"
    try:
        units = parse_delimited(read_text_bytes(raw, "f"), "f", sep)
        assert all(isinstance(u["target"], str) for u in units)
    except InputError as exc:
        one_line(exc)
    try:
        for rec in iter_records(io.BytesIO(raw), "f", kind, skip_bad=True):
            assert (rec.unit is None) != (rec.error is None)
    except InputError as exc:
        one_line(exc)


def test_load_input_on_random_files_never_crashes(tmp_path):
    """Every reader through the file path: empty, binary, NUL, BOM-only, directory."""
    cases = {"empty.txt": b"", "nul.txt": b"ab\x00cd", "bom.jsonl": b"\xef\xbb\xbf", "latin1.csv": b"target\ncaf\xe9",
             "blank.tsv": b"\n\n\n", "nohead.csv": b"x\n", "bad.jsonl": b"{", "deep.jsonl": b"[" * 100_000,
             "qhead.csv": b'"r\n\x0f"\nx\n'}  # a quoted newline in the header (found by atheris)
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as exc:
            load_input(str(tmp_path / name))
        one_line(exc.value)
        if name.endswith((".jsonl", ".csv", ".tsv")):
            with pytest.raises(InputError) as exc:
                list(iter_records((tmp_path / name).open("rb"), name, name.rsplit(".", 1)[1]))
            one_line(exc.value)
    with pytest.raises(InputError, match="directory"):
        load_input(str(tmp_path))


# -- translation formats (XLIFF, PO, TMX, SRT) ------------------------------------------------

XLIFF = ('<?xml version="1.0"?><xliff version="1.2"><file source-language="en" target-language="de" datatype="plaintext">'
         '<body><trans-unit id="1"><source>{src}</source><target>{tgt}</target></trans-unit></body></file></xliff>')
TMX = ('<?xml version="1.0"?><tmx version="1.4"><header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" '
       'creationtool="t" creationtoolversion="1" o-tmf="x"/><body><tu><tuv xml:lang="en"><seg>{src}</seg></tuv>'
       '<tuv xml:lang="de"><seg>{tgt}</seg></tuv></tu></body></tmx>')
PO = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "{src}"\nmsgstr "{tgt}"\n'
SRT = "1\n00:00:01,000 --> 00:00:02,000\n{tgt}\n\n2\n00:00:03,000 --> 00:00:04,500\n{src}\n"
TEMPLATES = {"xliff": (".xlf", XLIFF), "tmx": (".tmx", TMX), "po": (".po", PO), "srt": (".srt", SRT)}


def check_format_file(path: Path, kind: str) -> None:
    try:
        units = list(iter_format_units(path, kind))
        doc = load_units_document(path, kind)
    except InputError as exc:
        one_line(exc)
        return
    assert len(doc.segments) == len(units)
    assert_valid_report(run_checks(doc))


@needs_formats
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@given(data=st.data())
def test_format_readers_on_hostile_text_and_bytes(tmp_path_factory, kind, data):
    ext, template = TEMPLATES[kind]
    path = tmp_path_factory.mktemp(kind) / f"f{ext}"
    if data.draw(st.booleans()):
        src, tgt = data.draw(hostile_text), data.draw(hostile_text)
        body = template.replace("{src}", src).replace("{tgt}", tgt)
        cut = data.draw(st.integers(0, len(body)))
        if data.draw(st.booleans()):
            body = body[:cut] + data.draw(st.sampled_from(["<", "&", "]]>", '"', "\n\n", "<x>", "&bogus;"])) + body[cut:]
        path.write_bytes(body.encode("utf-8"))
    else:
        path.write_bytes(data.draw(raw_bytes))
    check_format_file(path, kind)


@needs_formats
@pytest.mark.parametrize("timing", ["00:00:06,500 --> 00:00:09," + "7" * 60, "99999999999:00:00,000 --> 00:00:01,000"])
def test_srt_timing_out_of_range_is_a_one_line_error(tmp_path, timing):
    """Found by atheris: a huge millisecond field overflowed ``timedelta`` (OverflowError)."""
    path = tmp_path / "f.srt"
    path.write_text(f"1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n{timing}\nWorld.\n", encoding="utf-8")
    with pytest.raises(InputError, match="cue timing is out of range") as exc:
        list(iter_format_units(path, "srt"))
    one_line(exc.value)


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
          + ']>')
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://10.255.255.1/x">]>'


@needs_formats
@pytest.mark.parametrize("kind", ["xliff", "tmx"])
@pytest.mark.parametrize("attack", ["laughs", "xxe", "deep"])
def test_xml_readers_expand_no_entities_fetch_nothing_and_refuse_deep_nesting(tmp_path, kind, attack):
    ext, template = TEMPLATES[kind]
    body = template.split("?>", 1)[1]
    if attack == "laughs":
        text = LAUGHS + body.replace("{src}", "Hello").replace("{tgt}", "&lol9;")
    elif attack == "xxe":
        text = XXE + body.replace("{src}", "&net;").replace("{tgt}", "&xxe;")
    else:
        text = body.replace("{src}", "Hello").replace("{tgt}", "<g>" * 50_000 + "x" + "</g>" * 50_000)
    path = tmp_path / f"attack{ext}"
    path.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    try:
        units = list(iter_format_units(path, kind))
    except InputError as exc:
        one_line(exc)
        units = []
    assert time.perf_counter() - t0 < 10
    for u in units:
        for value in (u.get("source") or "", u.get("target") or ""):
            assert "lollollol" not in value and "root:" not in value and len(value) < 10_000


# -- the check pipeline -----------------------------------------------------------------------


#: every default check but the language-model ones (those get their own, slow, test below)
LM_CHECKS = [cid for cid, c in all_checks().items() if c.requires == "lm"]
FAST = {"disable": LM_CHECKS}


@pytest.fixture(scope="module", autouse=True)
def warm_models():
    """Load the models once, outside the timed examples."""
    checker.check_pairs([("Hello world.", "Hallo Welt.")], "en", "de", **FAST)


@given(hostile_text, st.sampled_from([None, "en", "de", "zh", "kl"]))  # kl: a language no check has data for
def test_check_text_gives_a_valid_report(text, lang):
    assume(text.strip())
    assert_valid_report(checker.check_text(text, lang, **FAST))


@given(surrogate_text)
def test_lone_surrogates_in_python_text_give_a_valid_report(text):
    assume(text.strip())
    assert_valid_report(checker.check_text(text, "en", **FAST))


@pytest.mark.slow
@given(st.lists(st.tuples(st.none() | hostile_text, hostile_text), min_size=1, max_size=6),
       st.sampled_from([(None, None), ("en", "de"), ("de", "en"), ("zh", "en")]))
def test_check_pairs_gives_a_valid_report_with_one_record_per_pair(pairs, langs):
    report = checker.check_pairs(pairs, *langs, **FAST)
    assert_valid_report(report)
    assert len(segment_records(report)) == len(pairs)
    for rec in segment_records(report):
        for f in rec["findings"]:
            if f["side"] == "target":
                assert rec["target"][f["start"]:f["end"]] == f["text"]


@pytest.mark.slow
def test_enormous_lines_finish_and_keep_offsets():
    huge = ("word " * 40_000).strip()  # 200k characters, one sentence, no punctuation
    t0 = time.perf_counter()
    assert_valid_report(checker.check_text(huge + "\n" + "x" * 100_000 + ".", "en", **FAST))
    assert_valid_report(checker.check_pairs([("Hi.", huge), (huge, "Hallo.")], "en", "de", **FAST))
    assert time.perf_counter() - t0 < 60


RULE_CHECKS = {"disable": [cid for cid, c in all_checks().items() if c.requires]}


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["x", "x-", "x.", "X.", "www.x", "x@", "a\"", "\u00e1", "x_"])
def test_one_enormous_token_takes_linear_time(unit):
    """A 40k-character token made of one repeated shape: these once took minutes (quadratic regex backtracking)."""
    text = unit * (40_000 // len(unit)) + "."
    t0 = time.perf_counter()
    assert_valid_report(checker.check_text(text, "en", **RULE_CHECKS))
    assert time.perf_counter() - t0 < 30  # quadratic took minutes: 27 s at 10k characters for x.


@pytest.mark.slow
@settings(max_examples=6)
@given(st.lists(hostile_text, min_size=1, max_size=3))
def test_language_model_checks_give_a_valid_report(targets):
    lm = LM_CHECKS
    if not lm:
        pytest.skip("no language-model check is registered")
    report = checker.check_pairs([(None, t) for t in targets], None, "en", only=lm)
    assert_valid_report(report)
