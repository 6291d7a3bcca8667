"""Synthetic benchmark of the surface checks: inject artifacts at seeded random places, measure what is found.

Part 1 (target only): ``bench/data/clean_en.txt`` holds clean, edited English
prose. Each trial injects one artifact of every kind at random, non-overlapping
places and runs the checks; a finding is correct when it overlaps an injected
artifact. Prints precision and recall per check and the false-alarm rate on
the untouched text per 1,000 words.

Part 2 (with a source): error-free English-German pairs from the WMT 2023 MQM
ratings in ``../shared/data`` (skipped when absent) get one injected problem
each (a changed number, a dropped placeholder, a copied source, a truncated
target, ...); a finding is correct when its pair holds an injection of its kind.
The same pairs untouched give the false-alarm rate.

    python bench/synthetic.py [--trials 30] [--seed 0] [--pairs 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import checker  # noqa: E402
from checker.checks._surface import is_abbreviation, word_before  # noqa: E402
from checker.scoring import count_words  # noqa: E402

CLEAN = ROOT / "bench" / "data" / "clean_en.txt"
SHARED = ROOT.parent / "shared" / "data" / "wmt23_general_mqm_ende.jsonl"

TARGET_CHECKS = [
    "space-before-punctuation", "missing-space-after-punctuation", "doubled-punctuation", "unbalanced-brackets",
    "detached-quote", "wrong-side-quote", "stray-quote-fragment", "unbalanced-quotes", "lowercase-sentence-start",
    "doubled-word", "repetition-loop", "scraping-debris", "mojibake", "bad-characters", "gibberish", "wrong-language",
]
PAIR_CHECKS = ["number-mismatch", "date-mismatch", "placeholder-mismatch", "url-mismatch", "identical-to-source",
               "untranslated", "end-punctuation-mismatch", "cjk-punctuation", "length-ratio"]

#: sentences in other languages (written for this benchmark) for the wrong-language injection
FOREIGN = [
    "Die Regierung hat die neuen Regeln gestern im Parlament vorgestellt.",
    "Les habitants attendent depuis des mois une réponse de la mairie.",
    "El tren llegó con más de una hora de retraso por la tormenta.",
    "Il nuovo aggiornamento risolve diversi problemi di stabilità del programma.",
    "Wir bitten alle Fahrgäste, vor der Reise den Fahrplan zu prüfen.",
    "La boulangerie vend chaque semaine plusieurs milliers de pains frais.",
    "Los investigadores publicaron sus resultados en una revista científica.",
    "O governo anunciou novas medidas para proteger as aves marinhas.",
]
DEBRIS_LINES = ["Read more", "Loading...", "Advertisement", "Share | Tweet | Email", "date 2021-05-04",
                "Published: 4 May 2021", "We use cookies to improve your experience.", "Click here to read more",
                "Skip to main content", "Sign up for our newsletter"]
LOWER_OK = {"the", "this", "it", "they", "he", "she", "we", "our", "a", "an", "in", "many", "several", "today", "then",
            "first", "like", "one", "two", "under", "if", "please", "existing", "users", "crews", "residents",
            "critics", "support", "keep", "contact", "passengers", "another", "to", "you", "most", "some"}


@dataclass
class Edit:
    """Replace ``text[a:b]`` with ``repl``; the artifact then spans ``[a + rel_start, a + rel_end)``."""

    check: str
    a: int
    b: int
    repl: str
    rel_start: int
    rel_end: int


def _choice(rng: random.Random, items: list) -> object | None:
    return rng.choice(items) if items else None


def _words(text: str) -> list[re.Match]:
    return [m for m in re.finditer(r"(?<![\w'$.])[a-z]{3,}(?![\w'])", text)]


def _paragraph_ends(text: str) -> list[re.Match]:
    """Final sentences of body paragraphs (not headlines): 'Xxx ... end.' before a line break."""
    return [m for m in re.finditer(r"(?<=[.!?] )([A-Z][^\n\"()]{20,}?)\.(?=\n|$)", text)]


# -- injectors: (clean text, rng) -> Edit or None --------------------------------------------
def inj_space_before(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, list(re.finditer(r"(?<=[a-z])[,.](?= [A-Za-z])", t)))
    return m and Edit("space-before-punctuation", m.start(), m.end(), " " + m.group(), 0, 2)


def inj_missing_space(t: str, rng: random.Random) -> Edit | None:
    cands = [m for m in re.finditer(r"(?<=[a-z])\. (?=[A-Z][a-z])", t) if not is_abbreviation(word_before(t, m.start() + 1))]
    m = _choice(rng, cands)
    return m and Edit("missing-space-after-punctuation", m.start(), m.end(), ".", 0, 2)


def inj_doubled_punct(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, list(re.finditer(r"(?<=[a-z]),(?= )|(?<=[a-z])\.(?= [A-Z])", t)))
    return m and Edit("doubled-punctuation", m.start(), m.end(), m.group() * 2, 0, 2)


def inj_bracket(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, _words(t))
    if not m:
        return None
    if rng.random() < 0.5:
        return Edit("unbalanced-brackets", m.start(), m.start(), "(", 0, 1)
    return Edit("unbalanced-brackets", m.end(), m.end(), ")", 0, 1)


def inj_detached_quote(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, _paragraph_ends(t))
    if not m:
        return None
    body = m.group(1)
    return Edit("detached-quote", m.start(), m.end(), f'"{body}. "', len(body) + 2, len(body) + 4)


def inj_wrong_side_quote(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, list(re.finditer(r',"(?= (?:said|added))', t)))
    return m and Edit("wrong-side-quote", m.start(), m.end() + 1, ', "', 1, 3)


def inj_fragment(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, _paragraph_ends(t))
    if not m:
        return None
    body = m.group(1)
    word = rng.choice(re.findall(r"\b[a-z]{4,}\b", body) or ["region"])
    repl = f'"{body}." {word}".'
    return Edit("stray-quote-fragment", m.start(), m.end(), repl, len(body) + 4, len(repl))


def inj_unbalanced_quote(t: str, rng: random.Random) -> Edit | None:
    paras = [p for p in re.finditer(r"[^\n]+", t) if '"' not in p.group() and len(p.group()) > 80]
    p = _choice(rng, paras)
    if not p:
        return None
    words = _words(p.group())
    m = _choice(rng, words)
    return m and Edit("unbalanced-quotes", p.start() + m.start(), p.start() + m.start(), '"', 0, 1)


def inj_lowercase(t: str, rng: random.Random) -> Edit | None:
    cands = [m for m in re.finditer(r"(?<=[a-z]\. )([A-Z][a-z]+)", t)
             if m.group(1).lower() in LOWER_OK and not is_abbreviation(word_before(t, m.start() - 1))]
    m = _choice(rng, cands)
    return m and Edit("lowercase-sentence-start", m.start(), m.end(), m.group().lower(), 0, m.end() - m.start())


def inj_doubled_word(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, [w for w in _words(t) if w.group() not in {"had", "that"}])
    return m and Edit("doubled-word", m.end(), m.end(), " " + m.group(), 0, len(m.group()) + 1)


def inj_repetition(t: str, rng: random.Random) -> Edit | None:
    if rng.random() < 0.5:
        m = _choice(rng, _words(t))
        return m and Edit("repetition-loop", m.end(), m.end(), f" {m.group()} {m.group()}", 0, 2 * len(m.group()) + 2)
    m = _choice(rng, list(re.finditer(r"(?<=[ \n])[a-z]+(?: [a-z]+){2,4}(?=[ ,.])", t)))
    return m and Edit("repetition-loop", m.end(), m.end(), " " + m.group(), 0, len(m.group()) + 1)


def inj_debris(t: str, rng: random.Random) -> Edit | None:
    if rng.random() < 0.8:
        m = _choice(rng, list(re.finditer(r"\n(?=\n)", t)))
        line = rng.choice(DEBRIS_LINES)
        return m and Edit("scraping-debris", m.start(), m.start(), "\n" + line, 1, 1 + len(line))
    m = _choice(rng, list(re.finditer(r"(?<=[a-z]) (?=[a-z])", t)))
    return m and Edit("scraping-debris", m.start(), m.end(), " ADVERTISEMENT ", 1, 14)


def inj_mojibake(t: str, rng: random.Random) -> Edit | None:
    if rng.random() < 0.5:
        m = _choice(rng, list(re.finditer(r"(?<=[a-z])'(?=[a-z])", t)))
        if m:
            return Edit("mojibake", m.start(), m.end(), "â€™", 0, 3)
    m = _choice(rng, [w for w in _words(t) if "e" in w.group()[1:]])
    if not m:
        return None
    i = m.group().index("e", 1)
    return Edit("mojibake", m.start() + i, m.start() + i + 1, "Ã©", 0, 2)


def inj_bad_char(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, _words(t))
    if not m:
        return None
    ch = rng.choice(["\ufffd", "\u200b", "\x07", "\ufeff"])
    i = m.start() + rng.randrange(1, len(m.group()))
    return Edit("bad-characters", i, i, ch, 0, 1)


def inj_gibberish(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, _words(t))
    if not m:
        return None
    if rng.random() < 0.5:
        row = rng.choice(["qwertyuiop", "asdfghjkl", "zxcvbnm"])
        i = rng.randrange(0, len(row) - 5)
        token = row[i:i + rng.randint(5, len(row) - i)]
    else:
        token = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(6, 9)))
    return Edit("gibberish", m.end(), m.end(), " " + token, 1, 1 + len(token))


def inj_wrong_language(t: str, rng: random.Random) -> Edit | None:
    m = _choice(rng, list(re.finditer(r"(?<=[a-z]\.) (?=[A-Z])", t)))
    sentence = rng.choice(FOREIGN)
    return m and Edit("wrong-language", m.start(), m.end(), f" {sentence} ", 1, 1 + len(sentence))


INJECTORS: list[Callable[[str, random.Random], Edit | None]] = [
    inj_space_before, inj_missing_space, inj_doubled_punct, inj_bracket, inj_detached_quote, inj_wrong_side_quote,
    inj_fragment, inj_unbalanced_quote, inj_lowercase, inj_doubled_word, inj_repetition, inj_debris, inj_mojibake,
    inj_bad_char, inj_gibberish, inj_wrong_language,
]


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[tuple[str, int, int]]]:
    """The corrupted text and each artifact's (check, start, end) in it."""
    out, spans, shift, pos = [], [], 0, 0
    for e in sorted(edits, key=lambda e: e.a):
        out.append(text[pos:e.a])
        out.append(e.repl)
        start = e.a + shift
        spans.append((e.check, start + e.rel_start, start + e.rel_end))
        shift += len(e.repl) - (e.b - e.a)
        pos = e.b
    out.append(text[pos:])
    return "".join(out), spans


def corrupt(text: str, rng: random.Random, margin: int = 40) -> tuple[str, list[tuple[str, int, int]]]:
    edits: list[Edit] = []
    for inject in INJECTORS:
        for _ in range(20):  # a few tries to find a place far from the other edits
            e = inject(text, rng)
            if e and all(e.b + margin < o.a or o.b + margin < e.a for o in edits):
                edits.append(e)
                break
    return apply_edits(text, edits)


def run_target(trials: int, seed: int) -> dict:
    clean = CLEAN.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    report = checker.check_text(clean, tgt_lang="en", only=TARGET_CHECKS)
    clean_words = count_words(clean)
    false_alarms = [(f.check, f.text) for f in report.findings]
    injected: Counter[str] = Counter()
    detected: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    wrong: list[tuple[str, str]] = []
    for trial in range(trials):
        rng = random.Random(seed * 1000 + trial)
        text, spans = corrupt(clean, rng)
        rep = checker.check_text(text, tgt_lang="en", only=TARGET_CHECKS)
        for check, s, e in spans:
            injected[check] += 1
            if any(f.check == check and f.start < e and s < max(f.end, f.start + 1) for f in rep.findings):
                detected[check] += 1
            else:
                misses[check] += 1
        for f in rep.findings:
            flagged[f.check] += 1
            if any(f.start < e and s < max(f.end, f.start + 1) for _, s, e in spans):
                correct[f.check] += 1
            else:
                wrong.append((f.check, f.text))
    seconds = time.perf_counter() - t0
    rows = []
    for check in TARGET_CHECKS:
        rows.append({
            "check": check, "injected": injected[check], "recall": detected[check] / injected[check] if injected[check] else None,
            "findings": flagged[check], "precision": correct[check] / flagged[check] if flagged[check] else None,
        })
    return {"trials": trials, "words": clean_words, "sentences": len(report.segments), "rows": rows,
            "clean_false_alarms": len(false_alarms), "false_alarms_per_1000_words": 1000 * len(false_alarms) / clean_words,
            "false_alarm_examples": false_alarms[:10], "wrong_examples": wrong[:10], "seconds": seconds,
            "total_precision": sum(correct.values()) / max(1, sum(flagged.values())),
            "total_recall": sum(detected.values()) / max(1, sum(injected.values()))}


# -- part 2: pairs ---------------------------------------------------------------------------
def load_clean_pairs(limit: int) -> list[tuple[str, str]]:
    """Distinct error-free (source, target) pairs: no rater marked any error."""
    seen, pairs = set(), []
    with SHARED.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            key = (row["seg_id"], row["target"])
            if row["mqm"] != 0 or key in seen or not row["target"].strip():
                continue
            seen.add(key)
            pairs.append((row["source"], row["target"]))
            if len(pairs) >= limit:
                break
    return pairs


def inject_pair(src: str, tgt: str, rng: random.Random) -> tuple[str, str, str] | None:
    """(check, source, target) with one problem of the check's kind, or None when none fits this pair."""
    kinds = ["placeholder-mismatch", "url-mismatch", "date-mismatch", "identical-to-source", "untranslated",
             "end-punctuation-mismatch", "cjk-punctuation", "length-ratio"]
    if re.search(r"\d", tgt):
        kinds.append("number-mismatch")
    kind = rng.choice(kinds)
    words = tgt.split()
    if kind == "number-mismatch":
        m = rng.choice(list(re.finditer(r"\d+", tgt)))
        new = str(int(m.group()) + rng.randint(1, 9))
        return kind, src, tgt[:m.start()] + new + tgt[m.end():]
    if kind == "placeholder-mismatch":
        ph = rng.choice(["{0}", "%s", "{{user}}", "%(count)d", "<b>"])
        return kind, f"{ph} {src}", tgt
    if kind == "url-mismatch":
        return kind, f"{src} See https://example.com/help.", f"{tgt} Siehe https://example.org/hilfe."
    if kind == "date-mismatch":
        return kind, f"{src} (3 January 2020)", f"{tgt} (4. Januar 2020)"
    if kind == "identical-to-source":
        return kind, src, src
    if kind == "untranslated":
        src_words = src.split()
        if len(src_words) < 6:
            return None
        drop = rng.randrange(len(src_words))
        return kind, src, " ".join(src_words[:drop] + src_words[drop + 1:])
    if kind == "end-punctuation-mismatch":
        if not src.rstrip().endswith(".") or not tgt.rstrip().endswith("."):
            return None
        return kind, src.rstrip()[:-1] + "?", tgt
    if kind == "cjk-punctuation":
        if ", " not in tgt:
            return None
        return kind, src, tgt.replace(", ", "，", 1)
    if len(words) < 10:
        return None
    return "length-ratio", src, " ".join(words[: max(2, len(words) * 3 // 10)])


def run_pairs(limit: int, seed: int) -> dict | None:
    """Clean pairs and a corrupted copy of each, checked together.

    Recall: corrupted pairs whose problem is flagged by its check. Precision: findings that lie on a
    corrupted pair (a truncated target also loses its numbers: that finding is right too).
    """
    if not SHARED.is_file():
        return None
    t0 = time.perf_counter()
    pairs = load_clean_pairs(limit)
    words = sum(count_words(t) for _, t in pairs)
    rng = random.Random(seed)
    corrupted, kinds = [], []
    for src, tgt in pairs:
        for _ in range(5):
            got = inject_pair(src, tgt, rng)
            if got:
                kinds.append(got[0])
                corrupted.append((got[1], got[2]))
                break
    rep = checker.check_pairs(pairs + corrupted, "en", "de", only=PAIR_CHECKS)
    n = len(pairs)
    on_clean = [f for f in rep.findings if f.segment < n]
    injected = Counter(kinds)
    detected = Counter(k for i, k in enumerate(kinds)
                       if any(f.segment == n + i and f.check == k for f in rep.findings))
    flagged = Counter(f.check for f in rep.findings)
    correct = Counter(f.check for f in rep.findings if f.segment >= n)
    rows = [{"check": c, "injected": injected[c], "recall": detected[c] / injected[c] if injected[c] else None,
             "findings": flagged[c], "precision": correct[c] / flagged[c] if flagged[c] else None} for c in PAIR_CHECKS]
    return {"pairs": n, "words": words, "rows": rows, "clean_false_alarms": len(on_clean),
            "false_alarms_per_1000_words": 1000 * len(on_clean) / max(1, words),
            "clean_pairs_flagged": len({f.segment for f in on_clean}) / max(1, n),
            "false_alarm_examples": [(f.check, f.text[:60]) for f in on_clean[:10]],
            "total_precision": sum(correct.values()) / max(1, sum(flagged.values())),
            "total_recall": sum(detected.values()) / max(1, sum(injected.values())),
            "seconds": time.perf_counter() - t0}


def run_real() -> list[dict] | None:
    """All checks of this benchmark on real MT output (WMT23 en-de and zh-en, every system, with and without errors).

    A target-side finding is confirmed when a rater marked an error overlapping its span; a source-side or
    whole-segment finding when a rater marked an accuracy error (or one without a span) in that segment.
    Raters miss errors and tools see things raters ignore, so this is a floor on precision, not a measure of it.
    """
    if not SHARED.is_file():
        return None
    out = []
    for path, src_lang, tgt_lang in ((SHARED, "en", "de"), (SHARED.with_name("wmt23_general_mqm_zhen.jsonl"), "zh", "en")):
        if not path.is_file():
            continue
        t0 = time.perf_counter()
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        rep = checker.check_pairs([(r["source"], r["target"]) for r in rows], src_lang, tgt_lang,
                                  only=PAIR_CHECKS + TARGET_CHECKS)
        flagged: Counter[str] = Counter()
        confirmed: Counter[str] = Counter()
        for f in rep.findings:
            errors = rows[f.segment]["errors"]
            if f.side == "target" and f.check not in ("length-ratio", "untranslated", "identical-to-source"):
                a = f.start - rep.segments[f.segment].start
                b = max(f.end - rep.segments[f.segment].start, a + 1)
                ok = any(e["span"] and e["span"][0] < b and a < e["span"][1] for e in errors)
            else:
                ok = any(e["span"] is None or e["category"].startswith(("Accuracy", "Non-translation", "Source"))
                         for e in errors)
            flagged[f.check] += 1
            confirmed[f.check] += ok
        words = sum(count_words(r["target"]) for r in rows)
        out.append({"pair": f"{src_lang}-{tgt_lang}", "segments": len(rows), "words": words,
                    "findings": sum(flagged.values()), "confirmed": sum(confirmed.values()),
                    "per_1000_words": 1000 * sum(flagged.values()) / max(1, words),
                    "by_check": {c: (flagged[c], confirmed[c] / flagged[c]) for c in sorted(flagged)},
                    "seconds": time.perf_counter() - t0})
    return out


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}\n")
    print("| check | injected | recall | findings | precision |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['check']} | {r['injected']} | {_fmt(r['recall'])} | {r['findings']} | {_fmt(r['precision'])} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=30, help="corrupted copies of the clean text (default 30)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pairs", type=int, default=200, help="clean WMT23 en-de pairs to use (default 200)")
    ap.add_argument("--no-real", action="store_true", help="skip part 3 (all WMT23 MQM segments, about 30 s)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    target = run_target(args.trials, args.seed)
    pairs = run_pairs(args.pairs, args.seed) if args.pairs else None
    real = None if args.no_real else run_real()
    if args.json:
        print(json.dumps({"target": target, "pairs": pairs, "real": real}, indent=2, ensure_ascii=False))
        return 0
    print_table(f"Target-only checks: {args.trials} corrupted copies of {CLEAN.name} ({target['words']} words, "
                f"{target['sentences']} segments), one artifact of each kind per copy", target["rows"])
    print(f"\nall target-only checks: precision {target['total_precision']:.2f}, recall {target['total_recall']:.2f}")
    print(f"false alarms on the clean text: {target['clean_false_alarms']} "
          f"({target['false_alarms_per_1000_words']:.2f} per 1,000 words) {target['false_alarm_examples']}")
    if target["wrong_examples"]:
        print(f"findings on no injected artifact (first 10): {target['wrong_examples']}")
    print(f"time: {target['seconds']:.1f} s")
    if pairs is None:
        print("\npairs benchmark skipped: ../shared/data/wmt23_general_mqm_ende.jsonl not found")
        return 0
    print_table(f"Checks with a source: {pairs['pairs']} error-free WMT23 en-de pairs ({pairs['words']} target words) "
                "plus a copy of each with one injected problem", pairs["rows"])
    print(f"\nall checks with a source: precision {pairs['total_precision']:.2f}, recall {pairs['total_recall']:.2f}")
    print(f"false alarms on the untouched pairs: {pairs['clean_false_alarms']} "
          f"({pairs['false_alarms_per_1000_words']:.2f} per 1,000 words; {pairs['clean_pairs_flagged']:.1%} of pairs) "
          f"{pairs['false_alarm_examples']}")
    print(f"time: {pairs['seconds']:.1f} s")
    for r in real or []:
        print(f"\nReal MT output, WMT23 {r['pair']} ({r['segments']} segments, {r['words']} words, 10 systems): "
              f"{r['findings']} findings ({r['per_1000_words']:.1f} per 1,000 words), "
              f"{r['confirmed'] / max(1, r['findings']):.0%} on a span a human rater marked ({r['seconds']:.0f} s)\n")
        print("| check | findings | confirmed by a rater |")
        print("|---|---:|---:|")
        for check, (n, share) in r["by_check"].items():
            print(f"| {check} | {n} | {share:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
