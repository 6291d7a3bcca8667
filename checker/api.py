"""The library's front door: check a text or a list of pairs, get a Report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .config import Config, resolve_config
from .errors import InputError
from .langid import detect_document_language, parse_language
from .pipeline import ProgressFn, run_checks
from .segment import build_document, build_pair_document
from .values import Document, Report


def language_option(value: str | None, option: str = "language") -> tuple[str | None, str | None]:
    """(code, note) for a language a caller named (:func:`checker.langid.parse_language`): an ISO 639-1 code, with or
    without a region, or a name ('german' -> 'de', with a note saying so); (None, None) for none (detect it).
    Raises :class:`InputError`, one line naming what is accepted, for anything else."""
    if value is None:
        return None, None
    try:
        return parse_language(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _config(config: Config | None, settings: dict[str, Any]) -> Config:
    if config is not None and settings:
        raise TypeError("pass either a Config or keyword settings, not both")
    return config or resolve_config(settings)


def check_text(
    text: str,
    tgt_lang: str | None = None,
    *,
    source: str | None = None,
    src_lang: str | None = None,
    config: Config | None = None,
    progress: ProgressFn | None = None,
    **settings: Any,
) -> Report:
    """Check a target-only document (``source`` optional: an unaligned source document).

    ``settings`` are :class:`Config` fields, e.g. ``disable=["doubled-word"]``, resolved over the
    ``MTCHECK_*`` environment (:func:`checker.config.resolve_config`); no settings file is read.
    """
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    tgt_lang, _ = language_option(tgt_lang, "tgt_lang")
    src_lang, _ = language_option(src_lang, "src_lang")
    doc = build_document(text, tgt_lang)
    if source is not None:
        doc.source_text = source
        doc.src_lang = src_lang or detect_document_language(source)
    return run_checks(doc, _config(config, settings), progress)


def check_pairs(
    pairs: Iterable[tuple[str | None, str] | dict[str, Any]],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    *,
    config: Config | None = None,
    progress: ProgressFn | None = None,
    **settings: Any,
) -> Report:
    """Check aligned (source, target) pairs; one segment per pair."""
    src_lang, _ = language_option(src_lang, "src_lang")
    tgt_lang, _ = language_option(tgt_lang, "tgt_lang")
    doc = build_pair_document(pairs, src_lang, tgt_lang)
    return run_checks(doc, _config(config, settings), progress)


def check_document(doc: Document, config: Config | None = None, progress: ProgressFn | None = None) -> Report:
    """Check a prepared :class:`Document`."""
    return run_checks(doc, config, progress)
