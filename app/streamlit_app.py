"""mtcheck's web page: paste or upload a translation, see every problem highlighted in place.

Run with ``mtcheck app`` (or ``make app``, or ``streamlit run app/streamlit_app.py``).
All checking is done by :mod:`checker`; this file only lays out the page.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from app import settings, views
from app.inputs import MAX_BYTES, PASTED_NAME, Upload, load_document
from checker import Config, __version__, check_pairs, check_text
from checker.errors import InputError, MtcheckError
from checker.io.files import FORMATS as INPUT_FORMATS
from checker.pipeline import Progress, collect, finish
from checker.values import SEVERITIES, Report

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "mt_news_article_en.txt"
PROGRESS_FROM_SEGMENTS = 20  # show a progress bar from this many sentences on
#: the findings table's filters and row selection: a new check, or another minimum severity, starts them afresh
TABLE_KEYS = ("f_category", "f_severity", "f_check", "findings_table")
#: rows this tall let the findings table wrap its text (Streamlit wraps from 4rem)
ROW_HEIGHT = 72


@st.cache_resource(show_spinner="Loading models (once per server)…")
def warm_up(settings_key: str, bilingual: bool, _config: Config) -> list[str]:
    """Run the chosen checks once on a tiny text so their models load once per process.

    The library keeps loaded models in its process-wide cache (:mod:`checker.resources`);
    this makes that first load happen here, under its own spinner, once per
    settings (``settings_key``) and mode.
    """
    config = _config
    if bilingual:
        report = check_pairs([("Der Ausschuss tagte am Montag.", "The committee met on Monday.")], "de", "en", config=config)
    else:
        report = check_text("The committee met on Monday. It approved the plan.", "en", config=config)
    return report.errors


# -- state and callbacks ---------------------------------------------------------------------------------------------------

def _init_state() -> None:
    st.session_state.setdefault("target_text", "")
    st.session_state.setdefault("source_text", "")
    st.session_state.setdefault("target_name", PASTED_NAME)
    st.session_state.setdefault("uploads", 0)  # bumped to clear the file uploaders
    st.session_state.setdefault("run", False)


def _load_sample() -> None:
    st.session_state.target_text = SAMPLE.read_text(encoding="utf-8")
    st.session_state.target_name = SAMPLE.name
    st.session_state.source_text = ""
    st.session_state.uploads += 1
    st.session_state.run = True


def _text_edited() -> None:
    st.session_state.target_name = PASTED_NAME


def _request_run() -> None:
    st.session_state.run = True


def _set_checks(ids: list[str], on: bool) -> None:
    for cid in ids:
        st.session_state[f"check:{cid}"] = on


def _reset_checks(defaults: list[str]) -> None:
    for ids in settings.check_groups().values():
        for cid in ids:
            st.session_state[f"check:{cid}"] = cid in defaults


def _reset_table() -> None:
    for key in TABLE_KEYS:
        st.session_state.pop(key, None)


# -- layout ------------------------------------------------------------------------------------------------------------------

def check_toggles(sb, defaults: list[str]) -> list[str]:
    """The checks, grouped by category, each a toggle (its description on hover), with all-on/all-off per group;
    returns the ids switched on."""
    groups = settings.check_groups()
    descriptions = settings.check_descriptions()
    for ids in groups.values():
        for cid in ids:
            st.session_state.setdefault(f"check:{cid}", cid in defaults)
    sb.subheader("Checks", help="Checks that need a source run only when a source is given. The defaults are those of "
                                "`mtcheck check` (and ./mtcheck.toml, when present). Hover a check for what it does.")
    for group, ids in groups.items():
        on = sum(bool(st.session_state[f"check:{cid}"]) for cid in ids)
        with sb.expander(f"{settings.GROUP_LABELS.get(group, group)} · {len(ids)} check{'s' * (len(ids) != 1)}"):
            st.caption(f"{on} of {len(ids)} on")
            left, right = st.columns(2)
            left.button("All on", key=f"all_on:{group}", on_click=_set_checks, args=(ids, True), width="stretch")
            right.button("All off", key=f"all_off:{group}", on_click=_set_checks, args=(ids, False), width="stretch")
            for cid in ids:
                st.toggle(cid, key=f"check:{cid}", help=descriptions[cid])
    chosen = [cid for ids in groups.values() for cid in ids if st.session_state[f"check:{cid}"]]
    sb.caption(f"{len(chosen)} of {sum(len(ids) for ids in groups.values())} checks on")
    sb.button("Default checks", key="default_checks", on_click=_reset_checks, args=(defaults,))
    return chosen


def sidebar() -> tuple[Config | None, str, float | None]:
    """Settings: checks on/off, minimum severity, (when the operator allows them) models, pass threshold.

    Returns the Config to check with (every severity: the minimum filters the report, see :func:`main`),
    the minimum severity and the threshold."""
    sb = st.sidebar
    sb.header("Settings")
    try:
        base = settings.load_defaults()
        defaults = settings.default_checks(base)
    except MtcheckError as exc:
        sb.error(f"mtcheck.toml ignored: {exc}")
        base, defaults = {}, settings.default_checks()
    selected = check_toggles(sb, defaults)
    min_severity = sb.selectbox("Minimum severity", SEVERITIES, key="min_severity",
                                index=SEVERITIES.index(base.get("min_severity", "minor"))
                                if base.get("min_severity", "minor") in SEVERITIES else 0,
                                help="Drop findings below this severity from the report and its scores (like "
                                     "--min-severity). It filters the report on the page: nothing is checked again.")
    model = lm_model = None
    if settings.model_fields_enabled():  # a model field loads any folder the server can read: the operator's choice
        model = sb.text_input("Embedding model", key="model", value=base.get("embedding_model", ""),
                              placeholder="packaged default",
                              help="A sentence-transformers model path or name for the embedding checks (like --model).")
        lm_model = sb.text_input("Language model", key="lm_model", value=base.get("lm_model", ""),
                                 placeholder="packaged SmolLM2-135M",
                                 help="A causal language model folder or cached name for lm-fluency (like --lm-model). "
                                      "Its thresholds were set on SmolLM2-135M.")
    fail_under = sb.number_input("Fail under", min_value=0.0, max_value=100.0, value=None, step=1.0, key="fail_under",
                                 placeholder="off", help="The text fails when its score is below this (like --fail-under).")
    sb.caption(f"mtcheck {__version__}")
    if not selected:
        return None, min_severity, fail_under
    try:
        return settings.page_config(selected, "minor", model, base, lm_model), min_severity, fail_under
    except MtcheckError as exc:
        sb.error(str(exc))
        return None, min_severity, fail_under


def _upload(file) -> Upload | None:
    return None if file is None else Upload(file.name, file.getvalue())


def inputs() -> tuple[Upload | None, Upload | None, str | None, str | None]:
    """The input area; returns target, source and the two language choices."""
    gen = st.session_state.uploads
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Translation")
        st.text_area("Paste the translation", key="target_text", height=220, on_change=_text_edited,
                     placeholder="Paste machine-translated text here…", max_chars=MAX_BYTES)
        target_file = st.file_uploader("…or upload a file", key=f"target_file_{gen}",
                                       help=f"Read like `mtcheck check` reads it, by extension ({', '.join(INPUT_FORMATS)}"
                                            "): plain text, or units with a target and optionally a source and id. "
                                            "An upload wins over pasted text.")
        tgt = st.selectbox("Translation language", list(settings.LANGUAGES), format_func=settings.language_label,
                           key="tgt_lang")
    with right:
        st.subheader("Source (optional)")
        st.text_area("Paste the source text", key="source_text", height=220, max_chars=MAX_BYTES,
                     placeholder="With a source, the bilingual checks also run (meaning drift, omissions).")
        source_file = st.file_uploader("…or upload the source", key=f"source_file_{gen}",
                                       help="Line by line with the translation, or a whole document to align.")
        src = st.selectbox("Source language", list(settings.LANGUAGES), format_func=settings.language_label,
                           key="src_lang")
    target = _upload(target_file)
    if target is None and st.session_state.target_text.strip():
        target = Upload.from_text(st.session_state.target_text, st.session_state.target_name)
    source = _upload(source_file)
    if source is None and st.session_state.source_text.strip():
        source = Upload.from_text(st.session_state.source_text, "pasted source")
    return target, source, settings.language_code(src), settings.language_code(tgt)


def run_check(target: Upload | None, source: Upload | None, src: str | None, tgt: str | None, config: Config,
              min_severity: str) -> None:
    """Read the input and check it; the run, its Report (or the reason it failed) go to the session.

    Each step reports its sentences to a progress bar; a bar update is also where Streamlit stops a run whose
    tab was closed (or that a new click replaced), so the work ends there instead of running on."""
    st.session_state.pop("report", None)
    st.session_state.pop("check_run", None)
    _reset_table()
    try:
        doc = load_document(target, source, src, tgt)
    except InputError as exc:
        st.session_state.problem = str(exc)
        return
    bilingual = doc.source_text is not None or any(seg.source for seg in doc.segments)
    try:
        warm_up(json.dumps(config.signature(), sort_keys=True, default=str), bilingual, config)
        bar = st.progress(0.0, text="Checking…") if len(doc.segments) >= PROGRESS_FROM_SEGMENTS else None

        def progress(p: Progress) -> None:
            if bar is not None:
                bar.progress(p.fraction, text=f"Checking: {p}")

        started = time.perf_counter()
        with st.spinner("Checking…"):
            try:
                run = collect(doc, config, progress)
            except Exception:
                raise
            except BaseException:  # Streamlit stopped the script: the tab was closed, or a new click replaced the run
                print(f"mtcheck: checking {doc.name} ({len(doc.segments)} segments) stopped after "
                      f"{time.perf_counter() - started:.1f} s: its page closed or asked again", file=sys.stderr, flush=True)
                raise
            report = finish(run, min_severity)
        if bar is not None:
            bar.empty()
    except MtcheckError as exc:
        st.session_state.problem = str(exc)
        return
    except Exception as exc:  # a crash is shown as an error, never as a traceback page
        st.session_state.problem = f"the check crashed: {type(exc).__name__}: {exc}"
        return
    st.session_state.problem = None
    st.session_state.check_run = run
    st.session_state.report = report
    release_memory()


def release_memory() -> None:
    """Hand the memory a check run freed back to the system (glibc keeps it otherwise, and the server grows
    run after run); nothing where the C library is not glibc."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def current_report(min_severity: str) -> Report | None:
    """The report on show, at ``min_severity``: the last run filtered again when the minimum changed (no check
    runs again)."""
    report = st.session_state.get("report")
    run = st.session_state.get("check_run")
    if report is not None and run is not None and report.signature["config"]["min_severity"] != min_severity:
        _reset_table()
        report = st.session_state.report = finish(run, min_severity)
    return report


def summary(report: Report, fail_under: float | None) -> None:
    """Score, verdict and counts by severity and category."""
    sev = report.counts("severity")
    cols = st.columns(6)
    cols[0].metric("Score", f"{report.score:.1f}", help=views.score_help(report))
    cols[1].metric("Findings", len(report.findings))
    for col, name in zip(cols[2:5], views.SEVERITY_ORDER, strict=True):
        col.metric(name.capitalize(), sev.get(name, 0))
    cols[5].metric("Words", report.word_count)
    passed = views.verdict(report.score, fail_under)
    if passed is True:
        st.success(f"PASS: score {report.score:.1f} is at least {fail_under:g}")
    elif passed is False:
        st.error(f"FAIL: score {report.score:.1f} is below {fail_under:g}")
    categories = sorted(report.counts("category").items(), key=lambda kv: (-kv[1], kv[0]))
    if categories:
        per_row = 4
        for i in range(0, len(categories), per_row):
            row = st.columns(per_row)
            for col, (name, n) in zip(row, categories[i:i + per_row], strict=False):
                col.metric(name, n)
    langs = f"language {report.tgt_lang or 'unknown'}" + (f" · source {report.src_lang}" if report.src_lang else "")
    st.caption(f"{report.name} · {langs} · {len(report.segments)} segments · "
               f"{len(report.checks_run)} checks · {report.timings.get('total', 0.0):.2f} s")
    for note in report.errors:
        st.warning(note)


def findings_table(report: Report) -> None:
    """The findings, filterable by category, severity and check; sortable by any column header; text wraps, and a
    selected row is shown in full below the table."""
    st.subheader("Findings")
    frame = views.findings_frame(report)
    if frame.empty:
        st.info("No findings: nothing looks wrong to the checks that ran.")
        return
    c1, c2, c3 = st.columns(3)
    cats = c1.multiselect("Category", sorted(frame["category"].unique()), key="f_category", placeholder="all")
    sevs = c2.multiselect("Severity", [s for s in views.SEVERITY_ORDER if s in set(frame["severity"])],
                          key="f_severity", placeholder="all")
    checks = c3.multiselect("Check", sorted(frame["check"].unique()), key="f_check", placeholder="all")
    shown = views.filter_findings(frame, cats, sevs, checks)
    st.caption(f"{len(shown)} of {len(frame)} findings · click a column header to sort · select a row to read it in full")
    event = st.dataframe(shown, hide_index=True, width="stretch", row_height=ROW_HEIGHT, key="findings_table",
                         on_select="rerun", selection_mode="single-row", column_config={
        "sentence": st.column_config.TextColumn("sentence", width="small"),
        "text": st.column_config.TextColumn("flagged text", width="small"),
        "message": st.column_config.TextColumn("why", width="large"),
        "suggestion": st.column_config.TextColumn("suggestion", width="medium"),
        "confidence": st.column_config.NumberColumn("confidence", format="%.2f", width="small"),
        "start": st.column_config.NumberColumn("start", width="small"),
        "end": st.column_config.NumberColumn("end", width="small"),
    })
    rows = [r for r in (event.selection.rows if event is not None else []) if r < len(shown)]
    if rows:
        with st.container(border=True, key="finding_detail"):
            st.markdown(views.finding_detail(shown.iloc[rows[0]]))


def results(report: Report, fail_under: float | None) -> None:
    st.divider()
    summary(report, fail_under)
    bilingual = views.is_bilingual(report)
    text_col, chart_col = st.columns([3, 2], gap="large")
    with text_col:
        st.subheader("Source and translation" if bilingual else "Text")
        with st.container(height=460):
            st.html(views.pairs_html(report) if bilingual else views.text_html(report))
    with chart_col:
        st.subheader("Score per sentence")
        segments = views.segment_frame(report)
        if segments.empty:
            st.info("No sentences.")
        else:
            st.altair_chart(views.score_chart(segments), width="stretch")
            worst = segments.sort_values(["score", "sentence"]).head(3)
            worst = worst[worst["score"] < 100]
            if not worst.empty:
                st.caption("Lowest: " + " · ".join(f"#{r.label} ({r.score:.1f})" for r in worst.itertuples()))
    findings_table(report)
    st.subheader("Download")
    cols = st.columns(3)
    for col, item in zip(cols, views.downloads(report), strict=True):
        col.download_button(item.label, item.data, file_name=item.file_name, mime=item.mime,
                            key=f"download_{item.file_name.rsplit('.', 1)[-1]}", width="stretch")


def main() -> None:
    st.set_page_config(page_title="mtcheck: translation checker", page_icon=":mag:", layout="wide")
    _init_state()
    config, min_severity, fail_under = sidebar()
    st.title("mtcheck")
    st.caption("Find machine-translation problems and score a translation, with or without its source. "
               "Each flagged span is highlighted in place; hover it for the reason.")
    target, source, src, tgt = inputs()
    b1, b2, _ = st.columns([1, 1, 4])
    b1.button("Check", type="primary", on_click=_request_run, width="stretch", key="check")
    b2.button("Try the sample", on_click=_load_sample, width="stretch", key="sample",
              help=f"Load and check {SAMPLE.name}, a machine-translated news article")
    if st.session_state.run:
        st.session_state.run = False
        if config is None:
            st.session_state.pop("report", None)
            st.session_state.problem = "no checks selected: choose at least one in the sidebar"
        else:
            run_check(target, source, src, tgt, config, min_severity)
    if st.session_state.get("problem"):
        st.error(st.session_state.problem)
    report = current_report(min_severity)
    if report is not None:
        results(report, fail_under)


main()
