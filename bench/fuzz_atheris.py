"""Coverage-guided fuzzing of the readers with atheris (optional: `pip install atheris`).

    python bench/fuzz_atheris.py -atheris_runs=20000     # stop after 20k inputs
    python bench/fuzz_atheris.py corpus_dir/ -max_total_time=300 -max_len=8192
        # keep interesting inputs in a folder; seed it with samples/formats/* and a few JSONL/TSV lines

Each input goes through the plain-text reader and segmenter, the whole-file and
streaming JSONL readers, the CSV/TSV readers and, when present, the XLIFF/PO/TMX/SRT
readers. The rule is the one of tests/test_fuzz.py: an InputError with a one-line
message, or records; any other exception is a crash and stops the run with the input.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile

try:
    import atheris
except ImportError:
    raise SystemExit("atheris is not installed: pip install atheris") from None

with atheris.instrument_imports(include=["checker"]):  # coverage guidance for every reader, formats included
    from checker.errors import InputError
    from checker.io.files import read_text_bytes
    from checker.io.readers import parse_delimited, parse_jsonl
    from checker.io.stream import iter_records
    from checker.segment import segment_text

    try:
        from checker.io.formats import iter_units as format_units
    except ImportError:
        format_units = None

TMP = tempfile.mkdtemp(prefix="mtcheck-fuzz-")
FORMAT_FILES = {"xliff": "f.xlf", "tmx": "f.tmx", "po": "f.po", "srt": "f.srt"}


def guarded(fn, *args) -> object:
    try:
        return fn(*args)
    except InputError as exc:
        if "\n" in str(exc):
            raise AssertionError(f"multi-line error message: {exc!r}") from None
        return None


def one_input(data: bytes) -> None:
    text = guarded(read_text_bytes, data, "f")
    if text is not None:
        for seg in segment_text(text[:20_000], "en"):
            assert text[seg.start:seg.end] == seg.text
        guarded(parse_jsonl, text, "f")
        guarded(parse_delimited, text, "f", ",")
        guarded(parse_delimited, text, "f", "\t")
    for kind in ("jsonl", "csv", "tsv"):
        guarded(lambda k: list(iter_records(io.BytesIO(data), "f", k, skip_bad=True)), kind)
    if format_units is not None:
        for kind, name in FORMAT_FILES.items():
            path = os.path.join(TMP, name)
            with open(path, "wb") as fh:
                fh.write(data)
            guarded(lambda p, k: list(format_units(p, k)), path, kind)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
