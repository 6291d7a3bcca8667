"""Built-in checks. Importing this package registers them all.

Each module holds the checks of one kind; every check has an id, a category,
a default severity and a message that says why it fired. See
:mod:`checker.registry` for how to add one.
"""

from importlib import import_module

MODULES = [
    "punctuation",
    "quotes",
    "casing",
    "repetition",
    "debris",
    "encoding",
    "gibberish",
    "language",
    "source_tokens",
    "source_meta",
    "adequacy",
    "context",
    "tags",
    "unit_state",
    "terminology",
    "consistency",
    "lexical",
    "fluency",
    "syntax",
]

for _name in MODULES:
    import_module(f"{__name__}.{_name}")
