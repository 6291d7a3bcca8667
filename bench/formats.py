"""Streaming readers on large translation files: seconds and peak memory per format.

Writes XLIFF 1.2, PO and TMX files of 10,000 and 100,000 units into a temporary
directory, reads each through :func:`checker.io.formats.iter_units` in a fresh
process and prints units/second and peak RSS (``ru_maxrss`` of the child, minus
the RSS after imports). Flat memory means the 100k figure is close to the 10k
one. For contrast the 100k XLIFF is also checked end to end (a Document holds
every unit, so that is not flat) and loaded whole by translate-toolkit
(``--no-toolkit`` skips that).

Second part (``--skip-tags`` leaves it out): inline tags on real sentences. The
WMT23 en-de pairs in ``../shared/data`` get a ``bpt``/``ept`` pair around their
first word and an ``<x/>`` before their last word, written as XLIFF and read
back. Correct copies (and copies with the ``<x/>`` moved, which word order may
need) are negatives; copies with a tag dropped, a pair dropped, an extra tag or
the pair's closing tag first are positives for ``inline-tags``. The model-free
checks are also run on the plain and on the tagged pairs, with and without the
pipeline's filter of findings on codes: a finding more on the tagged pairs is
one the tags caused. Run as ``python bench/formats.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SOURCE = "Click <x id=\"1\"/> to open file number {i} in the <g id=\"2\">shared</g> folder."
TARGET = "Klicken Sie auf <x id=\"1\"/>, um Datei Nummer {i} im <g id=\"2\">freigegebenen</g> Ordner zu öffnen."


def write_xliff(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n'
                 '<file original="big" source-language="en" target-language="de" datatype="plaintext"><body>\n')
        for i in range(n):
            fh.write(f'<trans-unit id="u{i}"><source>{SOURCE.format(i=i)}</source>'
                     f'<target state="translated">{TARGET.format(i=i)}</target></trans-unit>\n')
        fh.write("</body></file></xliff>\n")


def write_tmx(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" segtype="sentence" '
                 'o-tmf="x" adminlang="en" datatype="plaintext" creationtool="bench" creationtoolversion="1"/><body>\n')
        for i in range(n):
            fh.write(f'<tu tuid="t{i}"><tuv xml:lang="en"><seg>Open file number {i} in the shared folder.</seg></tuv>'
                     f'<tuv xml:lang="de"><seg>Datei Nummer {i} im freigegebenen Ordner öffnen.</seg></tuv></tu>\n')
        fh.write("</body></tmx>\n")


def write_po(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
        for i in range(n):
            fuzzy = "#, fuzzy\n" if i % 10 == 0 else ""
            fh.write(f'#: src/file.py:{i}\n{fuzzy}msgid "Open file number {i} in %s."\n'
                     f'msgstr "Datei Nummer {i} in %s öffnen."\n\n')


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from checker.io.formats import iter_units
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
n = 0
states = {{}}
for u in iter_units({path!r}):
    n += 1
    states[u["state"]] = states.get(u["state"], 0) + 1
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"units": n, "seconds": dt, "base_mb": base / 1024, "peak_mb": peak / 1024, "states": states}}))
"""

FULL = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from checker.config import Config
from checker.io.readers import load_input
from checker.pipeline import run_checks
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
report = run_checks(load_input({path!r}), Config(only=["unit-state", "inline-tags", "consistency"]))
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"units": len(report.segments), "seconds": dt, "base_mb": base / 1024, "peak_mb": peak / 1024}}))
"""

TOOLKIT = r"""
import json, resource, time
from translate.storage import factory
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
store = factory.getobject({path!r})
n = len([u for u in store.units if not u.isheader()])
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"units": n, "seconds": dt, "base_mb": base / 1024, "peak_mb": peak / 1024}}))
"""


def run_child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


DATA = ROOT.parent / "shared" / "data" / "wmt23_general_mqm_ende.jsonl"
POSITIVE_KINDS = ("x dropped", "pair dropped", "extra tag", "pair reversed")


def _tagged(words: list[str], kind: str | None) -> str:
    """``words`` as XLIFF inline content: a bpt/ept pair round the first word, an x before the last.

    ``x glued``: the x right before the final punctuation instead ("Berlin<x/>.").
    """
    import re
    from xml.sax.saxutils import escape

    w = [escape(x) for x in words]
    bpt, ept = '<bpt id="1">&lt;b&gt;</bpt>', '<ept id="1">&lt;/b&gt;</ept>'
    first = f"{bpt}{w[0]}{ept}"
    x = '<x id="2"/> '
    if kind == "pair dropped":
        first = w[0]
    elif kind == "pair reversed":
        first = f"{ept}{w[0]}{bpt}"
    if kind == "x dropped":
        x = ""
    elif kind == "extra tag":
        x = '<x id="2"/> <x id="3"/> '
    middle = " ".join(w[1:-1])
    if kind == "x moved":
        return f"{x}{first} {middle} {w[-1]}".replace("  ", " ")
    if kind == "x glued":
        m = re.match(r"(.*?)([.!?:;,\"“”„«»')]*)$", w[-1])
        return f"{first} {middle} {m.group(1)}<x id=\"2\"/>{m.group(2)}".replace("  ", " ")
    return f"{first} {middle} {x}{w[-1]}".replace("  ", " ")


def tags_bench() -> None:
    import json
    import time

    from checker import codes
    from checker.api import check_pairs
    from checker.config import Config
    from checker.io.readers import load_input
    from checker.pipeline import run_checks
    from checker.selection import all_checks

    if not DATA.exists():
        print(f"\n(tags part skipped: {DATA} not found)")
        return
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    rows = [r for r in rows if len(r["source"].split()) >= 3 and len(r["target"].split()) >= 3 and "\n" not in r["target"]]
    units, labels = [], []
    for i, r in enumerate(rows):
        glued = i % 4 == 1
        src = _tagged(r["source"].split(), "x glued" if glued else None)
        neg_kind = "x moved" if i % 4 == 0 else "x glued" if glued else None
        units.append((f"n{i}", src, _tagged(r["target"].split(), neg_kind)))
        labels.append(None)
        kind = POSITIVE_KINDS[i % len(POSITIVE_KINDS)]
        units.append((f"p{i}", src, _tagged(r["target"].split(), kind)))
        labels.append(kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tags.xlf"
        body = "".join(f'<trans-unit id="{uid}"><source>{s}</source><target>{t}</target></trans-unit>\n' for uid, s, t in units)
        path.write_text('<xliff version="1.2"><file source-language="en" target-language="de"><body>\n'
                        f"{body}</body></file></xliff>\n", encoding="utf-8")
        doc = load_input(str(path))
        t = time.perf_counter()
        report = run_checks(doc, Config(only=["inline-tags"]))
        dt = time.perf_counter() - t
    flagged = {f.segment for f in report.findings}
    print(f"\ninline-tags on {len(rows)} WMT23 en-de pairs with XLIFF tags ({dt:.2f} s for {len(units)} units)")
    print(f"{'kind':16} {'units':>6} {'flagged':>8}")
    neg_kind = {0: "x moved", 1: "x glued"}
    for kind in ("correct", "x moved", "x glued", *POSITIVE_KINDS):
        idx = [j for j, (uid, _, _) in enumerate(units)
               if labels[j] == kind or (labels[j] is None and neg_kind.get(int(uid[1:]) % 4, "correct") == kind)]
        print(f"{kind:16} {len(idx):>6} {sum(j in flagged for j in idx):>8}")
    tp = sum(1 for j in flagged if labels[j]) if flagged else 0
    pos = sum(1 for lab in labels if lab)
    print(f"precision {tp / max(1, len(flagged)):.3f}  recall {tp / pos:.3f}")

    # consistency is left out: it compares units with each other, and here ten systems translate each source
    light = [cid for cid, c in all_checks().items() if c.requires is None and cid not in ("inline-tags", "consistency")]
    cfg = Config(only=light)
    plain = check_pairs([(r["source"], r["target"]) for r in rows], "en", "de", config=cfg)
    negatives = [(s, t) for (uid, s, t), lab in zip(units, labels, strict=True) if lab is None]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "neg.xlf"
        body = "".join(f'<trans-unit id="{k}"><source>{s}</source><target>{t}</target></trans-unit>\n'
                       for k, (s, t) in enumerate(negatives))
        path.write_text('<xliff version="1.2"><file source-language="en" target-language="de"><body>\n'
                        f"{body}</body></file></xliff>\n", encoding="utf-8")
        tagged = run_checks(load_input(str(path)), cfg)
        keep = codes.drop_findings_on_codes
        codes.drop_findings_on_codes = lambda findings, segments, keep=(): findings
        try:
            unfiltered = run_checks(load_input(str(path)), cfg)
        finally:
            codes.drop_findings_on_codes = keep
    print(f"\nmodel-free checks ({len(light)}) on the same {len(rows)} pairs: findings per check")
    print(f"{'check':32} {'plain':>6} {'tagged':>7} {'tagged, no filter':>18}")
    counts = [r.counts("check") for r in (plain, tagged, unfiltered)]
    for cid in sorted(set().union(*counts)):
        print(f"{cid:32} {counts[0].get(cid, 0):>6} {counts[1].get(cid, 0):>7} {counts[2].get(cid, 0):>18}")
    print(f"{'total':32} {len(plain.findings):>6} {len(tagged.findings):>7} {len(unfiltered.findings):>18}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="unit counts (comma-separated)")
    ap.add_argument("--no-toolkit", action="store_true", help="skip the whole-file translate-toolkit comparison")
    ap.add_argument("--skip-tags", action="store_true", help="skip the inline-tags part")
    ap.add_argument("--skip-memory", action="store_true", help="skip the large-file part")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.skip_memory:
        memory_bench(sizes, args.no_toolkit)
    if not args.skip_tags:
        sys.path.insert(0, str(ROOT))
        tags_bench()


def memory_bench(sizes: list[int], no_toolkit: bool) -> None:
    writers = {"xliff": (write_xliff, ".xlf"), "po": (write_po, ".po"), "tmx": (write_tmx, ".tmx")}
    print(f"{'format':8} {'units':>8} {'MB file':>8} {'seconds':>8} {'units/s':>9} {'peak RSS MB':>12} {'over base MB':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, (write, ext) in writers.items():
            for n in sizes:
                path = Path(tmp) / f"big{n}{ext}"
                write(path, n)
                r = run_child(CHILD.format(root=str(ROOT), path=str(path)))
                assert r["units"] == n, (kind, n, r)
                print(f"{kind:8} {n:>8} {path.stat().st_size / 1e6:>8.1f} {r['seconds']:>8.2f} {n / r['seconds']:>9.0f} "
                      f"{r['peak_mb']:>12.1f} {r['peak_mb'] - r['base_mb']:>13.1f}")
                if kind == "xliff" and n == max(sizes):
                    t = run_child(FULL.format(root=str(ROOT), path=str(path)))
                    print(f"{'  (whole check: document + 3 file checks)':38} {t['seconds']:>8.2f} {n / t['seconds']:>9.0f} "
                          f"{t['peak_mb']:>12.1f} {t['peak_mb'] - t['base_mb']:>13.1f}")
                if kind == "xliff" and n == max(sizes) and not no_toolkit:
                    t = run_child(TOOLKIT.format(path=str(path)))
                    print(f"{'  (translate-toolkit whole-file load)':38} {t['seconds']:>8.2f} {n / t['seconds']:>9.0f} "
                          f"{t['peak_mb']:>12.1f} {t['peak_mb'] - t['base_mb']:>13.1f}")
                path.unlink()


if __name__ == "__main__":
    main()
