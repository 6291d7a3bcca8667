"""Time and memory on hostile sizes: many findings in one segment, one enormous segment, a long document.

Timing bounds are generous (several times what a busy 2-core machine needs): they catch quadratic work,
not a slow machine.
"""

from __future__ import annotations

import time

import pytest

from checker.config import Config
from checker.io.readers import load_input
from checker.overlap import drop_subsumed
from checker.pipeline import run_checks
from checker.values import Finding


def _f(check: str, start: int, end: int, segment: int = 0, side: str = "target") -> Finding:
    return Finding(check=check, category="fluency/garbled", severity="major", start=start, end=end,
                   text="x" * (end - start), message="m", segment=segment, side=side)


def test_drop_subsumed_is_n_log_n_on_20000_findings_of_one_segment():
    """Was quadratic: each finding compared with every subsuming finding of its segment (20,000 tags: 70 s)."""
    outers = [_f("placeholder-mismatch", 10 * i, 10 * i + 3) for i in range(20_000)]
    inners = [_f("inline-tags", 10 * i + 1, 10 * i + 2) for i in range(20_000)]
    loose = [_f("inline-tags", 10 * i + 5, 10 * i + 6) for i in range(20_000)]  # between the outers: kept
    t = time.perf_counter()
    kept = drop_subsumed([*outers, *inners, *loose])
    assert time.perf_counter() - t < 5
    assert kept == [*outers, *loose]


def test_drop_subsumed_keeps_the_rules_of_the_quadratic_version():
    import random

    from checker.overlap import _covers, _missing_target, loose_checks, subsumptions

    def slow(findings):  # every pair compared, as before
        subs, loose = subsumptions(), loose_checks()
        empty = {f.segment for f in findings if _missing_target(f)}
        return [f for f in findings if not (f.segment in empty and not _missing_target(f)) and not any(
            o is not f and o.check in subs and f.check in subs[o.check] and _covers(o, f, f.check in loose)
            for o in findings)]

    rng = random.Random(7)
    checks = ["placeholder-mismatch", "inline-tags", "untranslated", "rare-word", "gibberish", "mojibake", "lm-fluency",
              "source-similarity", "number-mismatch", "identical-to-source",
              "bad-characters", "foreign-fragment", "doubled-word"]
    for _ in range(300):
        findings = []
        for _ in range(rng.randint(0, 12)):
            a = rng.randint(0, 20)
            findings.append(_f(rng.choice(checks), a, a + rng.choice([0, 0, 1, 2, 5, 9]), rng.randint(0, 1),
                               rng.choice(["target", "target", "source"])))
        assert drop_subsumed(findings) == slow(findings)


def test_xliff_target_with_20000_tags_is_checked_in_seconds(tmp_path):
    tags = "".join(f'w{i} <x id="{i}"/> ' for i in range(20_000))
    path = tmp_path / "tags.xlf"
    path.write_text('<?xml version="1.0"?><xliff version="1.2"><file source-language="en" target-language="de"><body>'
                    f'<trans-unit id="1"><source>plain source text</source><target>{tags}</target></trans-unit>'
                    "</body></file></xliff>", encoding="utf-8")
    doc = load_input(str(path))
    t = time.perf_counter()
    report = run_checks(doc, Config(only=["inline-tags", "placeholder-mismatch", "unit-state"]))
    assert time.perf_counter() - t < 20  # 132 s before (busy 2-core machine)
    assert len(report.findings) == 20_000


def _one_unit_jsonl(tmp_path, chars: int):
    import json

    from helpers import SAMPLE

    prose = " ".join(SAMPLE.read_text(encoding="utf-8").split()) + " "
    path = tmp_path / f"one{chars}.jsonl"
    path.write_text(json.dumps({"target": (prose * (chars // len(prose) + 1))[:chars]}) + "\n", encoding="utf-8")
    return load_input(str(path), tgt_lang="en")


@pytest.mark.slow
def test_rule_checks_take_linear_time_on_one_enormous_segment(tmp_path):
    """Was: 125 s for one 1 MB unit (foreign-fragment and rare-word looked through every URL-like span for every
    word; lowercase-sentence-start copied the text before each full stop): quadratic."""
    from checker.selection import all_checks

    rules = [cid for cid, c in all_checks().items() if not c.requires and c.default_enabled and not c.needs_source]
    small, big = _one_unit_jsonl(tmp_path, 250_000), _one_unit_jsonl(tmp_path, 1_000_000)
    run_checks(small, Config(only=rules))  # load the word lists once
    t = time.perf_counter()
    # each size twice, interleaved, and the faster of its runs kept: another process busy for a while (a CI job
    # beside this one) slows one run, not both
    runs = [run_checks(doc, Config(only=rules)).timings for doc in (small, big, small, big)]
    assert time.perf_counter() - t < 240
    fast = {cid: min(runs[0][cid], runs[2][cid]) for cid in rules}
    slow = {cid: min(runs[1][cid], runs[3][cid]) for cid in rules}
    quadratic = {cid: round(slow[cid] / fast[cid], 1) for cid in rules if slow[cid] > 1.0 and slow[cid] > 8 * fast[cid]}
    assert not quadratic  # 4x the text: about 4x the time, never 16x


# -- model checks: long segments split, long documents read up to a budget, a note for what was left out --------


def _prose(chars: int) -> str:
    from helpers import SAMPLE

    prose = " ".join(SAMPLE.read_text(encoding="utf-8").split()) + " "
    return (prose * (chars // len(prose) + 1))[:chars]


def test_a_segment_longer_than_the_parser_reads_is_split_not_a_failed_check():
    """Was: spaCy refuses a text over 1,000,000 characters, so broken-clause failed on a long unit (and parsed a
    shorter one for minutes in one piece)."""
    import checker

    big = _prose(1_100_000)
    report = checker.check_pairs([(None, big), (None, "The cat sat on the mat today.")], tgt_lang="en",
                                 config=Config(only=["broken-clause"], params={"broken-clause": {"max_document_words": 3000}}))
    assert not [e for e in report.errors if "failed" in e], report.errors
    assert any("segment 0 sentence by sentence" in e for e in report.errors)
    assert any("read the first" in e and "max_document_words" in e for e in report.errors)
    assert report.findings  # the sample's broken clauses in the part it read
    for f in report.findings:
        assert report.text[f.start:f.end] == f.text and f.segment == 0


@pytest.mark.slow
def test_lm_fluency_reads_a_long_document_up_to_its_word_budget_and_says_so():
    """Was: the language model read every word of any input: hours for a 20 MB text, with nothing in the report."""
    import checker

    text = _prose(40_000)
    report = checker.check_text(text, tgt_lang="en",
                                config=Config(only=["lm-fluency"], params={"lm-fluency": {"max_document_words": 400}}))
    notes = [e for e in report.errors if e.startswith("lm-fluency: read the first")]
    assert len(notes) == 1 and "max_document_words setting is 400" in notes[0]
    stop = int(notes[0].split("from character ")[1].split(" ")[0].replace(",", ""))
    assert all(f.end <= stop for f in report.findings)


def test_the_model_budget_is_a_setting_and_zero_reads_everything():
    from checker.budget import check_view
    from checker.checks.syntax import BrokenClause
    from checker.segment import build_document

    doc = build_document(_prose(30_000), "en")
    view, notes = check_view(doc, BrokenClause(max_document_words=0))
    assert view is doc and not notes
    view, notes = check_view(doc, BrokenClause(max_document_words=1000))
    assert 0 < len(view.segments) < len(doc.segments) and len(notes) == 1


@pytest.mark.slow
def test_an_oversized_unit_is_skipped_by_the_sentence_encoder_with_a_note():
    import checker

    pairs = [("Der Vertrag wurde 2020 unterzeichnet.", "The contract was signed in 2020."),
             ("Ein Satz. " * 1500, _prose(15_000))]
    report = checker.check_pairs(pairs, "de", "en", only=["source-similarity"])
    assert report.segments[0].similarity is not None and report.segments[1].similarity is None
    assert any(e.startswith("source-similarity: skipped segment 1: over 10,000 characters") for e in report.errors)


# -- one enormous line or unit: cut for the rule checks, noted in the report ------------------------------------


def test_a_line_over_100000_characters_is_cut_into_sentences_by_rule_in_seconds(tmp_path):
    """Was: pysbd on a 2 MB line took a minute of a 50 MB line's hour (about 20 s a megabyte on a busy machine)."""
    path = tmp_path / "line.txt"
    path.write_text(_prose(2_000_000) + "\nA short line. Another one.\n", encoding="utf-8")
    t = time.perf_counter()
    doc = load_input(str(path), tgt_lang="en")
    assert time.perf_counter() - t < 20
    assert len(doc.notes) == 1 and doc.notes[0].startswith(f"{path}: line 1 (over 100,000 characters) cut into")
    assert max(len(s.text) for s in doc.segments) <= 10_000 and len(doc.segments) > 5_000
    assert [s.text for s in doc.segments[-2:]] == ["A short line.", "Another one."]  # pysbd for ordinary lines
    for seg in doc.segments:
        assert doc.text[seg.start:seg.end] == seg.text


def test_rule_sentences_end_at_full_stops_before_capitals_not_after_abbreviations():
    from checker.segment import rule_sentences

    text = "He met Mr. Smith at 5 p.m. today. It rained! Then J. Doe left. 東京へ行った。次に大阪。 end"
    assert [text[s:e].strip() for s, e in rule_sentences(text)] == [
        "He met Mr. Smith at 5 p.m. today.", "It rained!", "Then J. Doe left.", "東京へ行った。", "次に大阪。", "end"]


def test_one_enormous_unit_is_read_by_the_rule_checks_in_windows_with_one_note():
    """Was: every rule check held the whole unit's words at once (a 50 MB unit: gigabytes) and block checks read it
    as one paragraph."""
    import checker
    from checker.selection import all_checks

    rules = [cid for cid, c in all_checks().items() if not c.requires and c.default_enabled]
    big = _prose(300_000)
    report = checker.check_pairs([("Short source.", big), ("Kurz.", "Short.")], "de", "en", only=rules)
    notes = [e for e in report.errors if "in windows" in e]
    assert notes == ["the rule checks read segment 0 in windows of up to 10,000 characters (over 100,000 characters)"]
    assert report.findings and {f.segment for f in report.findings} <= {0, 1}
    for f in report.findings:
        if f.side == "target":
            assert report.text[f.start:f.end] == f.text


def test_a_large_input_says_it_is_being_read_before_the_progress_bar(tmp_path, capsys):
    """Was: a 20 MB text printed nothing at all for minutes (reading and cutting it came before any progress)."""
    from checker.cli import main

    path = tmp_path / "big.txt"
    path.write_text((_prose(3_000) + "\n") * 400, encoding="utf-8")
    assert main(["check", str(path), "--only", "doubled-word", "--format", "json", "-o", str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    assert f"mtcheck: reading {path} (1.2 MB) and cutting it into sentences" in err
