"""Synthetic fluency benchmark: MT-like corruptions of clean English, precision/recall per type.

Clean sentences (``bench/data/fluency_clean_en.txt``, written for this
benchmark) are corrupted one kind at a time: every other sentence gets one
corruption, the rest stay clean. A finding is a hit when it overlaps the
corrupted span (for a deleted word: the two words around the gap). Also prints
the false-alarm rate on the clean text, and on real news when ``../shared/data``
is present (the 7,500 words of WMT23 en-de English sources, read at run time),
and the time of the 1,000-word sample, cold and warm, with the LM check's split.

    python bench/fluency.py            # figures at the default settings
    python bench/fluency.py --sweep    # also a grid over the LM thresholds
    python bench/fluency.py --no-speed # skip the timing of the sample
    python bench/fluency.py --lm-model /path/to/causal-lm   # the same figures with another language model
    FLUENCY_BENCH_SETTINGS=window_before=24,window_after=16 python bench/fluency.py  # other analysis settings
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
SAMPLE = ROOT / "samples" / "mt_news_article_en.txt"
#: WMT23 en-de English sources (human-written news): real clean text for the false-alarm rate, read, never copied
REAL_CLEAN = ROOT.parent / "shared" / "data" / "wmt23_general_mqm_ende.jsonl"
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
KINDS = ("stray", "swap", "drop", "preposition", "calque", "pronoun", "missing-verb", "foreign", "broken-clause",
         "adjective-opener", "stray-capital")
#: short fragments left in another language (written for this benchmark)
FOREIGN = ["und zwar", "zum Beispiel", "par exemple", "tout de suite", "sin embargo", "por lo tanto", "per esempio",
           "im Rahmen", "dans le cadre", "ohne Zweifel", "sans doute", "en cuanto a", "nel frattempo", "vor allem"]
FUNCTION_WORDS = {"the", "a", "an", "to", "of", "that", "and", "for", "in", "on", "with"}
PREPOSITIONS = ["in", "on", "at", "of", "for", "to", "with", "by", "from", "about", "into"]
PRONOUN_CASES = [["he", "she", "it", "they", "we"], ["him", "her", "it", "them", "us"], ["his", "her", "its", "their", "our"]]
VERBS = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "said", "says", "say"}
LM_CHECK = "lm-fluency"
LEX_CHECKS = ("rare-word", "foreign-fragment", "broken-clause")
#: a complementiser 'that' turned into a preposition makes its clause's subject an object ('suggest to the officials are')
CLAUSE_PREPOSITIONS = ["to", "for", "of", "with"]
SUBJECT_STARTS = {"the", "a", "an", "many", "more", "most", "some", "its", "their", "his", "her", "nobody", "no"}
#: adjectives MT leaves where the source had a sentence adverb (German 'bekanntlich', 'bemerkenswerterweise')
OPENERS = ["Known", "Remarkable", "Notable", "Typical", "Surprising", "Unfortunate", "Natural", "Obvious", "Clear", "Final"]
#: everyday nouns/adjectives that are also plausible parts of names and compounds: the capitalised fragment MT leaves
#: behind when it splits or mistranslates a compound (written for this benchmark; none occurs in the sample)
CAPITALS = ["Bridge", "Stone", "Field", "Harbour", "Tower", "Valley", "Spring", "Crown", "Market", "River", "Garden",
            "Castle", "Silver", "Golden", "Royal", "Grand", "Border", "Forest", "Island", "Bay", "Hill", "Star",
            "Rose", "Ocean", "Desert", "Mountain", "Sun", "Moon", "Steel", "Iron", "Harvest", "Liberty", "Union",
            "Pacific", "Northern", "Southern", "Arctic", "Central", "Federal", "Coast"]


@dataclass
class Case:
    kind: str
    text: str  # the corrupted sentence
    gold: tuple[int, int]  # span of the corruption in it


def real_clean_sentences() -> list[str]:
    """Sentences of the WMT23 en-de English sources (7,500 words of news), or [] when ../shared/data is absent."""
    import json

    from checker.segment import split_sentences

    if not REAL_CLEAN.is_file():
        return []
    sources: dict[tuple[str, int], str] = {}
    for line in REAL_CLEAN.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        sources.setdefault((row["doc"], row["seg_id"]), row["source"])
    out = []
    for text in sources.values():
        out += [text[a:b].strip() for a, b in split_sentences(text, "en") if text[a:b].strip()]
    return out


def clean_sentences() -> list[str]:
    return [s.strip() for s in (DATA / "fluency_clean_en.txt").read_text(encoding="utf-8").splitlines() if s.strip()]


def calques() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "fluency_calques_en.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b = line.split("\t")
            rows.append((a, b))
    return rows


def _gap(words: list[re.Match], i: int) -> tuple[int, int]:
    """Span of the words around the gap left by deleting word ``i``."""
    a = words[i - 1].start() if i > 0 else words[i].start()
    b = words[i + 1].end() if i + 1 < len(words) else words[i].end()
    return a, b


def _delete(text: str, words: list[re.Match], i: int) -> tuple[str, tuple[int, int]]:
    w = words[i]
    a, b = (w.start(), w.end() + 1) if i == 0 else (w.start() - 1, w.end())
    new = text[:a] + text[b:]
    if i == 0:
        new = new[:1].upper() + new[1:]
    ga, gb = _gap(words, i)
    shift = b - a
    return new, (ga, gb - shift)


def corrupt(text: str, kind: str, rng: random.Random, pool: list[str], calque_table: list[tuple[str, str]]) -> Case | None:
    """One corruption of ``kind`` applied to ``text``, or None when the sentence offers none."""
    words = list(WORD.finditer(text))
    n = len(words)
    if kind == "stray":
        i = rng.randrange(1, n)
        w = rng.choice(pool)
        if rng.random() < 0.25:  # MT often leaves a capitalised noun behind ('outpost Orient aligned')
            w = w.capitalize()
        pos = words[i].start()
        return Case(kind, text[:pos] + w + " " + text[pos:], (pos, pos + len(w)))
    if kind == "swap":
        opts = [i for i in range(1, n - 1) if text[words[i].end() : words[i + 1].start()] == " "
                and words[i].group().isalpha() and words[i + 1].group().isalpha()
                and words[i].group().lower() != words[i + 1].group().lower()]
        if not opts:
            return None
        i = rng.choice(opts)
        x, y = words[i], words[i + 1]
        return Case(kind, text[: x.start()] + y.group() + " " + x.group() + text[y.end() :], (x.start(), y.end()))
    if kind in ("drop", "missing-verb"):
        vocab = FUNCTION_WORDS if kind == "drop" else VERBS
        opts = [i for i in range(1, n - 1) if words[i].group().lower() in vocab]
        if kind == "missing-verb":
            opts += [i for i in range(2, n - 1) if words[i].group().endswith("ed") and words[i - 1].group().lower() not in ARTS]
        if not opts:
            return None
        new, gold = _delete(text, words, rng.choice(sorted(set(opts))))
        return Case(kind, new, gold)
    if kind == "preposition":
        opts = [i for i in range(1, n) if words[i].group() in PREPOSITIONS]
        if not opts:
            return None
        w = words[rng.choice(opts)]
        alt = rng.choice([p for p in PREPOSITIONS if p != w.group()])
        return Case(kind, text[: w.start()] + alt + text[w.end() :], (w.start(), w.start() + len(alt)))
    if kind == "pronoun":
        opts = [(i, case) for i in range(n) for case in PRONOUN_CASES if words[i].group().lower() in case]
        if not opts:
            return None
        i, case = rng.choice(opts)
        w = words[i]
        alt = rng.choice([p for p in case if p != w.group().lower()])
        alt = alt.capitalize() if w.group()[0].isupper() else alt
        return Case(kind, text[: w.start()] + alt + text[w.end() :], (w.start(), w.start() + len(alt)))
    if kind == "broken-clause":
        opts = [i for i in range(1, n - 3) if words[i].group() == "that" and words[i + 1].group().lower() in SUBJECT_STARTS]
        if not opts:
            return None
        i = rng.choice(opts)
        w, alt = words[i], rng.choice(CLAUSE_PREPOSITIONS)
        end = words[min(n - 1, i + 6)].end() - len(w.group()) + len(alt)
        return Case(kind, text[: w.start()] + alt + text[w.end() :], (w.start(), end))
    if kind == "adjective-opener":
        adj = rng.choice(OPENERS)
        first = words[0].group()
        rest = text if first.isupper() else first.lower() + text[len(first):]  # no clean sentence opens with a name
        return Case(kind, f"{adj}, {rest}", (0, len(adj)))
    if kind == "stray-capital":  # a capitalised word between two lowercase words ('outpost Orient aligned')
        opts = [i for i in range(1, n) if text[words[i - 1].end() : words[i].start()] == " "
                and words[i - 1].group().isalpha() and words[i - 1].group().islower() and words[i].group().islower()]
        if not opts:
            return None
        pos, w = words[rng.choice(opts)].start(), rng.choice(CAPITALS)
        return Case(kind, text[:pos] + w + " " + text[pos:], (pos, pos + len(w)))
    if kind == "foreign":
        i = rng.randrange(1, n)
        frag = rng.choice(FOREIGN)
        pos = words[i].start()
        return Case(kind, text[:pos] + frag + " " + text[pos:], (pos, pos + len(frag)))
    if kind == "calque":
        for clean, calque in calque_table:
            at = text.find(clean)
            if at >= 0:
                # the gold span is the part that differs
                p = 0
                while p < min(len(clean), len(calque)) and clean[p] == calque[p]:
                    p += 1
                while p > 0 and calque[p - 1] != " ":
                    p -= 1
                return Case(kind, text[:at] + calque + text[at + len(clean) :], (at + p, at + len(calque)))
        return None
    raise ValueError(kind)


ARTS = {"the", "a", "an"}


def build_cases(seed: int = 7) -> dict[str, list[tuple[str, Case | None]]]:
    """Per kind, the benchmark document as (sentence, case) rows; case is None for clean rows."""
    sents = clean_sentences()
    pool = sorted({w.group().lower() for s in sents for w in WORD.finditer(s)
                   if w.group().isalpha() and len(w.group()) > 3})
    table = calques()
    out: dict[str, list[tuple[str, Case | None]]] = {}
    for k, kind in enumerate(KINDS):
        rng = random.Random(seed * 100 + k)
        rows: list[tuple[str, Case | None]] = []
        for i, s in enumerate(sents):
            every = kind in ("calque", "pronoun", "broken-clause")  # kinds few sentences allow
            case = corrupt(s, kind, rng, pool, table) if (every or i % 2 == k % 2) else None
            rows.append((case.text if case else s, case))
        out[kind] = rows
    return out


def as_document(rows: list[tuple[str, Case | None]]):
    """One sentence a line, so segments are exactly the rows."""
    from checker.values import Document, Segment

    segs, pos = [], 0
    for i, (s, _) in enumerate(rows):
        segs.append(Segment(index=i, start=pos, end=pos + len(s), text=s, block=i, tgt_lang="en"))
        pos += len(s) + 1
    return Document(text="\n".join(s for s, _ in rows), segments=segs, tgt_lang="en", name="bench")


def score(rows, findings) -> dict[str, float]:
    """Hits, false alarms and corrupted rows for findings of one document."""
    by_seg: dict[int, list] = {}
    for f in findings:
        by_seg.setdefault(f.segment, []).append(f)
    tp = fp = found = 0
    total = sum(1 for _, c in rows if c)
    for i, (_, case) in enumerate(rows):
        hit = False
        for f in by_seg.get(i, []):
            a, b = f.start - findings_base(rows, i), f.end - findings_base(rows, i)
            if case and a < case.gold[1] and case.gold[0] < b:
                tp += 1
                hit = True
            else:
                fp += 1
        found += hit
    return {"tp": tp, "fp": fp, "found": found, "total": total}


def findings_base(rows, i: int) -> int:
    return sum(len(s) + 1 for s, _ in rows[:i])


def words_in(rows) -> int:
    return sum(len(WORD.findall(s)) for s, _ in rows)


def run_lexical(doc):
    from checker.config import Config
    from checker.pipeline import run_checks
    from checker.selection import all_checks

    present = [c for c in LEX_CHECKS if c in all_checks()]
    return run_checks(doc, Config(only=present)).findings if present else []


def run_tagger(doc, min_probability: float | None = None):
    """Word findings of the learned quality model, target only (the LM's search left out); ``min_probability``
    None: the model's own minor threshold."""
    from checker.config import Config
    from checker.pipeline import run_checks

    params = {"learned-quality": {"min_probability": min_probability, "major_probability": min_probability}} \
        if min_probability is not None else {}
    report = run_checks(doc, Config(only=["learned-quality"], params=params))
    return [f for f in report.findings if f.check == "learned-quality"]


def tagger_thresholds() -> dict[str, float]:
    """The word thresholds English text alone is read against: its findings' (minor) and the MCC-best one on
    validation (with both shipped models, those fitted for the mean of their word probabilities)."""
    from checker.qe.estimator import QualityEstimator

    (est,) = QualityEstimator().estimate(["A sentence."], tgt_lang="en")
    return est.thresholds


def table(results: dict[str, dict[str, float]], clean_fp: int, clean_words: int, title: str,
          real: tuple[int, int] | None = None) -> None:
    print(f"\n{title}")
    print(f"{'corruption':<14}{'precision':>10}{'recall':>9}{'found':>8}")
    for kind, r in results.items():
        prec = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else float("nan")
        print(f"{kind:<14}{prec:>10.2f}{r['found'] / r['total']:>9.2f}{int(r['found']):>5}/{int(r['total'])}")
    print(f"clean text: {clean_fp} findings in {clean_words} words = {500 * clean_fp / clean_words:.2f} per 500 words")
    if real:
        print(f"real clean news (WMT23 en-de sources): {real[0]} findings in {real[1]} words = "
              f"{500 * real[0] / real[1]:.2f} per 500 words")


def lm_findings(cands: CandList, settings: dict) -> list:
    """Findings of the LM check under other settings, reusing one wider analysis."""
    from checker.checks.fluency import LanguageModelFluency

    check = LanguageModelFluency(**settings)
    st = check.settings
    keep = [c for c in cands if c.word.excess >= st["candidate_excess"] and c.word.surprisal >= st["candidate_surprisal"]]
    keep.sort(key=lambda c: -c.word.excess)
    keep = keep[: max(1, round(cands.n_words * st["candidates_per_100_words"] / 100))] if st["candidates_per_100_words"] else []
    # stray capitals: in the budget with all edits, else (like the check) beyond it with their deletion only
    kept = {id(c) for c in keep}
    keep = [replace(c, capital=c.capital and c.word.excess >= st["capital_excess"]) for c in keep]
    keep += [replace(c, edits=[e for e in c.edits if e.kind == "delete"]) for c in cands
             if c.capital and id(c) not in kept and c.word.excess >= st["capital_excess"]]
    return [f for c in keep if (f := check.judge(c)) is not None]


class CandList(list):
    """Candidates of one document and its word count."""

    def __init__(self, items, n_words: int):
        super().__init__(items)
        self.n_words = n_words


def extra_settings() -> dict[str, float]:
    """Analysis settings from ``FLUENCY_BENCH_SETTINGS=window_before=64,window_after=24`` (to compare window sizes)."""
    pairs = [kv.split("=") for kv in os.environ.get("FLUENCY_BENCH_SETTINGS", "").split(",") if kv]
    return {k: (int(v) if v.isdigit() else float(v)) for k, v in pairs}


def analyse_all(docs: dict[str, list]):
    """One LM analysis per document with a generous candidate budget (sweeps filter it down)."""
    from checker import lm
    from checker.checks.fluency import LanguageModelFluency

    wide = LanguageModelFluency(candidate_excess=1.5, candidate_surprisal=5.0, candidates_per_100_words=10.0,
                               **extra_settings())
    model = lm.get_model(os.environ.get("MTCHECK_LM_MODEL"))
    print(f"  language model: {model.name} ({model.info.get('dtype')})", flush=True)
    out = {}
    for name, rows in docs.items():
        t = time.perf_counter()
        doc = as_document(rows)
        cands = wide.analyse([s for s in doc.segments if len(WORD.findall(s.text)) >= 4], model)
        out[name] = (CandList(cands, words_in(rows)), doc)
        print(f"  analysed {name}: {len(cands)} candidates, {time.perf_counter() - t:.1f} s", flush=True)
    return out


def evaluate(analysed, docs, settings: dict, lexical: dict | None = None):
    """Per corruption kind its scores; false alarms on the written clean text and on real news (None if absent)."""
    results, clean_fp, real = {}, 0, None
    for name, (cands, _doc) in analysed.items():
        fs = lm_findings(cands, settings) + (lexical or {}).get(name, [])
        r = score(docs[name], fs)
        if name == "clean":
            clean_fp = r["fp"]
        elif name == "real":
            real = (r["fp"], words_in(docs[name]))
        else:
            results[name] = r
    return results, clean_fp, real


SPEED = """
import json, os, sys, time
t = time.perf_counter()
import checker
from checker import lm
from checker.checks.fluency import LanguageModelFluency, WORD_RE
from checker.segment import build_document
text = open(sys.argv[1], encoding="utf-8").read()
r = checker.check_text(text, "en")
cold = time.perf_counter() - t
t = time.perf_counter()
r = checker.check_text(text, "en")
warm = time.perf_counter() - t
model = lm.get_model(os.environ.get("MTCHECK_LM_MODEL"))
check = LanguageModelFluency()
segs = [s for s in build_document(text, "en").segments if len(WORD_RE.findall(s.text)) >= 4]
check.analyse(segs, model)
top = sorted(((v, k) for k, v in r.timings.items() if k != "total"), reverse=True)[:5]
print(json.dumps({"cold": cold, "warm": warm, "words": r.word_count, "top": top, "load": model.load_seconds,
                  "dtype": model.info.get("dtype"), "threads": lm.set_threads(), "busy": lm.busy_cores(),
                  "profile": check.profile}))
"""


def speed() -> None:
    """Time the sample with all checks, cold (new process) and warm (second call), and split the LM check's time."""
    import json

    out = subprocess.run([sys.executable, "-c", SPEED, str(SAMPLE)], capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    p = res["profile"]
    print(f"\nsample ({res['words']} words), all checks, {os.cpu_count()} cores ({res['threads']} torch threads, "
          f"{res['dtype']}, other processes busy on {res['busy']:.1f} cores): cold {res['cold']:.1f} s (new process; model load "
          f"{res['load']:.1f} s from the disk cache), warm {res['warm']:.2f} s")
    print("warm time by check: " + ", ".join(f"{k} {v:.2f} s" for v, k in res["top"]))
    print(f"lm-fluency: {p['sentences']} sentences scored in {p['sentence_pass_s']:.2f} s; {p['candidates']} candidates, "
          f"{p['edit_windows']} edit windows scored in {p['edit_pass_s']:.2f} s; other {p['other_s']:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", action="store_true", help="grid over the LM thresholds")
    ap.add_argument("--no-speed", action="store_true", help="skip timing the sample")
    ap.add_argument("--no-tagger", action="store_true", help="skip the learned quality model's word findings")
    ap.add_argument("--cache", help="pickle file for the LM analysis (reused when present; for sweeps)")
    ap.add_argument("--lm-model", metavar="PATH_OR_NAME",
                    help="another causal LM (transformers folder or cached name) instead of the packaged SmolLM2-135M")
    args = ap.parse_args()
    if args.lm_model:
        os.environ["MTCHECK_LM_MODEL"] = args.lm_model  # the timed subprocess and Config() read it too
    from checker.checks.fluency import LanguageModelFluency

    cases = build_cases()
    docs = {"clean": [(s, None) for s in clean_sentences()], **cases}
    if real_clean_sentences():
        docs["real"] = [(s, None) for s in real_clean_sentences()]
    t = time.perf_counter()
    if args.cache and Path(args.cache).is_file():
        analysed = pickle.loads(Path(args.cache).read_bytes())
    else:
        analysed = analyse_all(docs)
        if args.cache:
            Path(args.cache).write_bytes(pickle.dumps(analysed))
    print(f"LM analysis of {len(docs)} documents: {time.perf_counter() - t:.1f} s")
    lexical = {name: run_lexical(doc) for name, (_c, doc) in analysed.items()}
    clean_words = words_in(docs["clean"])
    defaults = dict(LanguageModelFluency.params)
    res, cfp, real = evaluate(analysed, docs, defaults)
    table(res, cfp, clean_words, "lm-fluency at the default settings", real)
    no_lm = {"candidates_per_100_words": 0.0, "spike_excess": 1e9, "capital_excess": 1e9}
    res, cfp, real = evaluate(analysed, docs, no_lm, lexical)
    table(res, cfp, clean_words, "checks without the LM (" + ", ".join(LEX_CHECKS) + ")", real)
    res, cfp, real = evaluate(analysed, docs, defaults, lexical)
    table(res, cfp, clean_words, "lm-fluency + the other checks", real)
    if not args.no_tagger:  # may the learned tagger replace the LM's edit-window search?
        thresholds = tagger_thresholds()
        for label, value in (("its findings' threshold", None), ("the MCC-best threshold", thresholds["mcc"])):
            shown = thresholds["minor"] if value is None else value
            tagged = {name: run_tagger(doc, value) for name, (_c, doc) in analysed.items()}
            res, cfp, real = evaluate(analysed, docs, no_lm, tagged)
            table(res, cfp, clean_words, f"learned-quality word findings alone, {label} ({shown:.3f})", real)
            both = {name: tagged[name] + lexical[name] for name in tagged}
            res, cfp, real = evaluate(analysed, docs, no_lm, both)
            table(res, cfp, clean_words, f"learned-quality ({label}) + the other checks, no LM", real)
    if args.sweep:
        print("\nsweep: capital_excess capital_rest_gain -> stray-capital found, stray found, all-kind recall, real-FP/500w")
        for ce in (0.0, 2.0, 1e9):
            for rg in (-1.0, 0.0, 0.5, 1.0, 1.5):
                res, cfp, real = evaluate(analysed, docs, {**defaults, "capital_excess": ce, "capital_rest_gain": rg})
                rec = sum(r["found"] for r in res.values()) / sum(r["total"] for r in res.values())
                rfp = f" real {500 * real[0] / real[1]:.2f}" if real else ""
                print(f"{ce:5.0f} {rg:5.1f} -> {int(res['stray-capital']['found'])}/40 {int(res['stray']['found'])}/40 "
                      f"{rec:.3f} clean-FP {cfp}{rfp}")
        print("\nsweep: capital_min_gain -> stray-capital found, all-kind recall, real-FP/500w; then the capital "
              "deletions on real news that pass capital_rest_gain, by gain")
        for cg in (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0):
            res, cfp, real = evaluate(analysed, docs, {**defaults, "capital_min_gain": cg})
            rec = sum(r["found"] for r in res.values()) / sum(r["total"] for r in res.values())
            rfp = f" real {500 * real[0] / real[1]:.2f}" if real else ""
            print(f"{cg:5.1f} -> {int(res['stray-capital']['found'])}/40 {rec:.3f} clean-FP {cfp}{rfp}")
        gains = sorted((round(e.gain, 1), c.word.text) for name in ("clean", "real") if name in analysed
                       for c in analysed[name][0] if c.capital for e in c.edits
                       if e.kind == "delete" and c.rest_gain(e) >= defaults["capital_rest_gain"])
        print(f"  clean/real capital deletions passing the rest-gain test: {gains}")
        hits = sorted(round(e.gain, 1) for c in analysed["stray-capital"][0] if c.capital for e in c.edits
                      if e.kind == "delete" and c.rest_gain(e) >= defaults["capital_rest_gain"])
        print(f"  stray-capital corruptions, their deletion gains: {hits}")
        print("\nsweep: min_gain spike_excess cand_excess per100 -> recall(all kinds) clean-FP/500w precision [real-FP/500w]")
        for mg in (4.0, 5.0, 6.0, 7.0, 8.0, 10.0):
            for se in (8.0, 10.0, 12.0, 1e9):
                for ce in (1.5, 2.0, 3.0):
                    for per in (3.0, 6.0, 10.0):
                        st = {"min_gain": mg, "spike_excess": se, "candidate_excess": ce,
                              "candidate_surprisal": 5.0, "candidates_per_100_words": per}
                        res, cfp, real = evaluate(analysed, docs, st)
                        tp = sum(r["tp"] for r in res.values())
                        fp = sum(r["fp"] for r in res.values())
                        rec = sum(r["found"] for r in res.values()) / sum(r["total"] for r in res.values())
                        rfp = f" real {500 * real[0] / real[1]:.2f}" if real else ""
                        print(f"{mg:5.1f} {se:6.1f} {ce:4.1f} {per:5.1f} -> {rec:.3f} {500 * cfp / clean_words:.2f} "
                              f"{tp / max(1, tp + fp):.2f}{rfp}")
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
