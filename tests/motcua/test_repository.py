"""A clone of this repository stands alone: its documentation and tests need no file outside it."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".git", ".venv", "staticfiles", "var", "node_modules", "__pycache__", "test-results"}
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".sh", ".toml", ".cfg", ".ini", ".example", ""}


def _text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        if any(part in SKIPPED_DIRS or part.startswith(".pytest") for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES and path.stat().st_size < 2_000_000:
            files.append(path)
    return files


def test_no_file_cites_the_outside_domain_notes_or_reads_a_sibling_folder():
    outside = re.compile(r"DOMAIN\.md|DOMAIN §|NEXT\.md|NEXT §|\.\./shared|parent\s*/\s*\"shared\"")
    this_test = Path(__file__).resolve()
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _text_files()
        if path.resolve() != this_test
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
        if outside.search(line)
    ]
    assert offenders == []


def test_every_cited_rule_page_exists():
    cited = {
        match
        for path in _text_files()
        for match in re.findall(r"docs/([a-z0-9-]+\.md)", path.read_text(encoding="utf-8", errors="replace"))
    }
    assert {"due-dates.md", "timeliness.md", "report-06a.md", "national-status.md"} <= cited
    assert sorted(name for name in cited if not (ROOT / "docs" / name).exists()) == []
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    assert all(f"({page.name})" in index for page in (ROOT / "docs").glob("*.md") if page.name != "README.md")
