"""The documentation: docs/checks.md is what the check classes say, README is short and links every doc, and
no link points nowhere."""

from __future__ import annotations

import re

from helpers import ROOT

from checker.cli import main
from checker.config import ENVIRONMENT
from checker.reference import checks_markdown
from checker.selection import all_checks

DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_docs_checks_md_is_generated_from_the_check_classes(capsys):
    generated = checks_markdown(all_checks().values())
    committed = (DOCS / "checks.md").read_text(encoding="utf-8")
    assert committed == generated, "docs/checks.md is stale: run `mtcheck checks --markdown > docs/checks.md`"
    assert main(["checks", "--markdown"]) == 0
    assert capsys.readouterr().out == generated
    for cid in all_checks():
        assert f"### {cid}\n" in generated


def test_readme_is_short_and_links_every_doc():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 15_000
    linked = set(LINK.findall(readme))
    docs = {f"docs/{p.name}" for p in DOCS.glob("*.md") if p.name != "README.md"}
    assert docs <= linked, sorted(docs - linked)
    index = set(LINK.findall((DOCS / "README.md").read_text(encoding="utf-8")))
    assert {d.removeprefix("docs/") for d in docs} <= index


def test_no_link_points_nowhere():
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links {target}"


def test_every_environment_variable_is_documented():
    architecture = (DOCS / "architecture.md").read_text(encoding="utf-8")
    for name in ENVIRONMENT:
        assert f"`{name}`" in architecture, name
