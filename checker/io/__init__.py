"""Files in and out: input kinds and their readers, streaming, and annotated copies.

* :mod:`checker.io.files` - what kind a file is; opening, reading, decoding, writing atomically;
* :mod:`checker.io.readers` - any input file into a :class:`~checker.values.Document` (:func:`load_input`);
* :mod:`checker.io.formats` - the translation files: XLIFF, PO, TMX, SRT;
* :mod:`checker.io.stream` - JSONL/CSV/TSV records one at a time, for corpora;
* :mod:`checker.io.annotate` - a copy of the input with the findings as notes.
"""
