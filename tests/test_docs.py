"""The README and the docs/ pages: short README, links that resolve, commands that run as written."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from c5map.classify import Classes
from c5map.cli import build_parser
from c5map.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

#: A newcomer reads the README in two minutes (issue 25 item 8); the rest is in docs/.
README_MOST_BYTES = 8 * 1024

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.M | re.S)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", flags=re.M)


def _prose(text: str) -> str:
    """Return ``text`` without its fenced code blocks, where brackets are code, not links."""
    return FENCE.sub("", text)


def _shell_lines(text: str) -> list[list[str]]:
    """Return the lines of the page's ``bash`` code blocks as shell words, comments removed."""
    blocks = [body for language, body in FENCE.findall(text) if language == "bash"]
    lines = (shlex.split(line, comments=True) for block in blocks for line in block.splitlines())
    return [words for words in lines if words]


def _slug(heading: str) -> str:
    """Return GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(heading) for heading in HEADING.findall(_prose(page.read_text(encoding="utf-8")))}


def _relative_links(page: Path) -> list[str]:
    links = LINK.findall(_prose(page.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    broken = []
    for link in _relative_links(page):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            broken.append(f"{link}: no heading with that anchor in {target.relative_to(ROOT)}")
    assert broken == []


def test_the_readme_is_short_and_leads_to_every_docs_page():
    assert len(README.read_bytes()) <= README_MOST_BYTES
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in _relative_links(README)}
    assert [page.name for page in PAGES[1:] if page.resolve() not in linked] == []
    assert any(link.endswith(".png") for link in _relative_links(README))  # a picture


def test_the_readme_commands_are_the_ones_ci_runs():
    text = README.read_text(encoding="utf-8")
    assert _shell_lines(text)[:2] == [["pip", "install", ".", "&&", "c5map", "build"], ["bash", "scripts/test.sh"]]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["c5map"] == "c5map.cli:console"
    assert 'python -m pytest -n auto -m "not browser and not slow"' in text  # the quick lane, on every core
    markers = {marker.split(":")[0] for marker in pyproject["tool"]["pytest"]["ini_options"]["markers"]}
    assert {"browser", "slow"} <= markers


def _documented_command_lines() -> list[tuple[str, str]]:
    """Return every ``c5map ...`` command line of the pages' bash blocks, with the page it is on."""
    found = []
    for page in PAGES:
        for line in _shell_lines(page.read_text(encoding="utf-8")):
            for words in _commands(line):
                while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                    words.pop(0)  # an environment variable set for the command
                if words[:1] == ["c5map"]:
                    found.append((page.relative_to(ROOT).as_posix(), shlex.join(words)))
    return found


def _commands(words: list[str]) -> list[list[str]]:
    """Split one shell line's words into its commands, at ``&&``."""
    commands = [[]]
    for word in words:
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


DOCUMENTED = _documented_command_lines()


def test_the_pages_document_every_command():
    commands = {line.split()[1] for _, line in DOCUMENTED if len(line.split()) > 1}
    assert commands == {"validate", "build", "export", "import", "serve"}


@pytest.mark.parametrize(("page", "line"), DOCUMENTED, ids=[f"{page}: {line}" for page, line in DOCUMENTED])
def test_every_documented_command_line_parses(page, line, capsys):
    try:
        args = build_parser().parse_args(shlex.split(line)[1:])
    except SystemExit as stop:
        pytest.fail(f"{page}: `{line}` exits {stop.code}: {capsys.readouterr().err}")
    if hasattr(args, "scheme"):  # argparse takes any --k with any --scheme: the build checks them together
        try:
            Classes.of(args.scheme, args.k, args.breaks)
        except UsageError as mistake:
            pytest.fail(f"{page}: `{line}` is refused: {mistake}")
