"""Human judgements to learn from: MLQE-PE and WMT23 MQM, read from ``shared/data``.

Both become :class:`Example` objects: a target (and usually a source), word
spans with OK/BAD tags on either side, and whichever sentence labels the corpus
has (``da``: the z-scored direct assessment; ``hter``: the post-edit rate;
``mqm``: the professional MQM score, squashed with ``-log(1 + penalty)``).

Splits never depend on the order of the files:

* MLQE-PE ``train`` minus a validation slice (:data:`VALIDATION_SHARE` of each
  pair, chosen by a hash of the id) trains; the validation slice chooses the
  epoch, the tag threshold and the score calibration; ``dev`` is only reported.
* with ``post_edits``, each changed MLQE-PE training translation's post-edit trains
  too, as a target with every word OK (:func:`post_edit_examples`);
* :func:`ranked_pairs` pairs translations of one source, the better first (a post-edit
  and its MT; two systems' MQM), for a ranking loss;
* WMT23 MQM is split by *document* (a hash of the document name): half the
  documents train, the rest are held out and only reported.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MLQE_TRAIN = "mlqe_pe_train.jsonl"
MLQE_DEV = "mlqe_pe_dev.jsonl"
WMT_FILES = {"en-de": "wmt23_general_mqm_ende.jsonl", "zh-en": "wmt23_general_mqm_zhen.jsonl"}
VALIDATION_SHARE = 0.04
WMT_TEST_SHARE = 0.5
#: MQM errors at or above this weight make their words BAD (Minor = 1; minor punctuation 0.1 does not)
WMT_BAD_WEIGHT = 1.0

Span = tuple[int, int]


@dataclass
class Example:
    """One translation with what humans said about it."""

    target: str
    source: str | None
    pair: str  # "ro-en"
    corpus: str  # "mlqe" or "wmt23"
    id: str
    target_words: list[Span] = field(default_factory=list)
    target_bad: list[bool] | None = None
    source_words: list[Span] = field(default_factory=list)
    source_bad: list[bool] | None = None
    labels: dict[str, float] = field(default_factory=dict)
    group: str = ""  # items sharing a source (WMT seg id) or a document
    doc: str = ""
    extra: dict = field(default_factory=dict)


def fraction(key: str) -> float:
    """A stable number in [0, 1) from ``key`` (split assignment independent of file order)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 2**32


_INVISIBLE = "\u200b\u200c\u200d\ufeff"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_ESCAPES = (("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("@-@", "-"))


def token_spans(text: str, tokens: Iterable[str]) -> list[Span]:
    """Character spans of ``tokens`` found left to right in ``text``.

    MLQE-PE tokens are Moses tokens of the detokenised text: escapes are undone,
    curly quotes compared as straight ones and zero-width joiners (dropped by the
    tokeniser in Sinhala and Nepali) skipped. A token still not found gets an
    empty span at the search position.
    """
    keep = [i for i, ch in enumerate(text) if ch not in _INVISIBLE]
    plain = "".join(text[i] for i in keep).translate(_QUOTES)
    spans: list[Span] = []
    pos = 0
    for tok in tokens:
        for esc, ch in _ESCAPES:
            tok = tok.replace(esc, ch)
        tok = "".join(ch for ch in tok if ch not in _INVISIBLE).translate(_QUOTES)
        i = plain.find(tok, pos) if tok else -1
        if i < 0:
            anchor = keep[pos] if pos < len(keep) else len(text)
            spans.append((anchor, anchor))
            continue
        spans.append((keep[i], keep[i + len(tok) - 1] + 1))
        pos = i + len(tok)
    return spans


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def mlqe_example(row: dict) -> Example:
    return Example(
        target=row["target"],
        source=row["source"],
        pair=row["pair"],
        corpus="mlqe",
        id=row["id"],
        target_words=token_spans(row["target"], row["target_tokens"]),
        target_bad=[t == "BAD" for t in row["target_tags"]],
        source_words=token_spans(row["source"], row["source_tokens"]),
        source_bad=[t == "BAD" for t in row["source_tags"]],
        labels={"da": float(row["da_z_mean"]), "hter": float(row["hter"])},
        group=row["id"],
        extra={"da_mean": float(row["da_mean"]), "post_edit": row.get("post_edit", "")},
    )


@lru_cache(maxsize=8)
def _detokenizer(lang: str) -> Any:
    from sacremoses import MosesDetokenizer

    return MosesDetokenizer(lang=lang)


def detokenise(tokens: list[str], lang: str) -> str:
    """Moses tokens (an MLQE-PE post-edit) back into plain text in language ``lang``."""
    return _detokenizer(lang).detokenize(tokens)


def post_edit_of(ex: Example) -> Example | None:
    """The human post-edit of MLQE-PE translation ``ex`` as an example of its own (every word OK, HTER 0; its
    DA label is the caller's to set), or None when the post-editor changed nothing."""
    tokens = (ex.extra.get("post_edit") or "").split()
    if ex.labels.get("hter", 0.0) <= 0 or not tokens:
        return None
    text = detokenise(tokens, ex.pair.split("-")[1])
    return Example(target=text, source=ex.source, pair=ex.pair, corpus=ex.corpus, id=ex.id + ":post-edit",
                   target_words=token_spans(text, tokens), target_bad=[False] * len(tokens),
                   source_words=ex.source_words, source_bad=[False] * len(ex.source_words),
                   labels={"hter": 0.0}, group=ex.group, extra={"post_edit_of": ex.id})


def post_edit_examples(examples: Sequence[Example]) -> list[Example]:
    """Each changed MLQE-PE translation's human post-edit as a training target of its own: every word OK,
    HTER 0, and the DA its translation would have had without the edits: the MT's ``da_z_mean`` minus what
    its HTER costs on the pair's training data (a least-squares slope of DA on HTER)."""
    by_pair: dict[str, list[Example]] = {}
    for ex in examples:
        if ex.corpus == "mlqe":
            by_pair.setdefault(ex.pair, []).append(ex)
    out: list[Example] = []
    for _pair, group in sorted(by_pair.items()):
        hter = np.array([ex.labels["hter"] for ex in group])
        da = np.array([ex.labels["da"] for ex in group])
        slope = float(np.polyfit(hter, da, 1)[0]) if len(group) > 2 and hter.std() > 0 else 0.0
        for ex in group:
            pe = post_edit_of(ex)
            if pe is not None:
                pe.labels["da"] = ex.labels["da"] - min(0.0, slope) * ex.labels["hter"]
                out.append(pe)
    return out


def ranked_pairs(examples: Sequence[Example], min_hter: float = 0.1,
                 min_mqm_gap: float = 1.0) -> list[tuple[Example, Example]]:
    """(better, worse) translations of the same source, for a ranking loss.

    * MLQE-PE: a translation's human post-edit beats the translation, where the post-editor changed at
      least ``min_hter`` of it (a direct assessment is one number per source and never shows this);
    * WMT23 MQM: of two systems' translations of one source segment, the one whose MQM penalty is at
      least ``min_mqm_gap`` points smaller (one minor error) is better.
    """
    pairs: list[tuple[Example, Example]] = []
    by_group: dict[str, list[Example]] = {}
    for ex in examples:
        if ex.corpus == "mlqe":
            pe = post_edit_of(ex) if ex.labels.get("hter", 0.0) >= min_hter else None
            if pe is not None:
                pairs.append((pe, ex))
        elif "mqm" in ex.extra:
            by_group.setdefault(ex.group, []).append(ex)
    for group in by_group.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if abs(a.extra["mqm"] - b.extra["mqm"]) >= min_mqm_gap:
                    pairs.append((a, b) if a.extra["mqm"] > b.extra["mqm"] else (b, a))
    return pairs


def squash_mqm(mqm: float) -> float:
    """MQM (0 = perfect, lower is worse) on a log scale: -log(1 + penalty)."""
    return -math.log1p(max(0.0, -mqm))


def words_of(text: str) -> list[Span]:
    """Whitespace-separated words with their spans (the tag unit for MQM targets)."""
    import re

    return [m.span() for m in re.finditer(r"\S+", text)]


def wmt_example(row: dict, pair: str) -> Example:
    target = row["target"]
    words = words_of(target)
    bad = [False] * len(words)
    major = [False] * len(words)
    for err in row["errors"]:
        if err["span"] is None:
            continue
        s, e = err["span"]
        for i, (ws, we) in enumerate(words):
            if ws < e and s < we:
                if err["weight"] >= WMT_BAD_WEIGHT:
                    bad[i] = True
                if err["severity"] == "Major":
                    major[i] = True
    return Example(
        target=target,
        source=row["source"],
        pair=pair,
        corpus="wmt23",
        id=f"{pair}:{row['system']}:{row['seg_id']}",
        target_words=words,
        target_bad=bad,
        labels={"mqm": squash_mqm(float(row["mqm"]))},
        group=f"{pair}:{row['seg_id']}",
        doc=row["doc"],
        extra={"mqm": float(row["mqm"]), "system": row["system"], "major_words": major,
               "major_spans": [tuple(e["span"]) for e in row["errors"]
                               if e["span"] is not None and e["severity"] == "Major"]},
    )


@dataclass
class Splits:
    train: list[Example]
    validation: list[Example]
    dev: list[Example]  # MLQE-PE dev: reported only
    wmt_test: list[Example]  # WMT23 held-out documents: reported only


def load_splits(data_dir: Path, use_mlqe: bool = True, use_wmt: bool = True,
                validation_share: float = VALIDATION_SHARE, post_edits: bool = False) -> Splits:
    """Read the corpora in ``data_dir`` and split them (see the module docstring).

    ``use_mlqe`` / ``use_wmt`` choose which corpora *train*; both are always read
    for the reported figures when present. ``post_edits`` adds the MLQE-PE training
    translations' post-edits as targets of their own (:func:`post_edit_examples`).
    """
    data_dir = Path(data_dir)
    train: list[Example] = []
    validation: list[Example] = []
    for row in read_jsonl(data_dir / MLQE_TRAIN):
        ex = mlqe_example(row)
        if fraction(ex.id) < validation_share:
            validation.append(ex)
        elif use_mlqe:
            train.append(ex)
    if post_edits:
        train.extend(post_edit_examples(train))
    dev_path = data_dir / MLQE_DEV
    dev = [mlqe_example(r) for r in read_jsonl(dev_path)] if dev_path.exists() else []
    wmt_test: list[Example] = []
    for pair, name in WMT_FILES.items():
        path = data_dir / name
        if not path.exists():
            continue
        for row in read_jsonl(path):
            ex = wmt_example(row, pair)
            if fraction(ex.doc) < WMT_TEST_SHARE:
                wmt_test.append(ex)
            elif use_wmt:
                # a slice of the training documents validates the MQM head
                (validation if fraction("val:" + ex.doc) < 0.2 else train).append(ex)
    return Splits(train, validation, dev, wmt_test)
