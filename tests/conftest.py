"""Shared fixtures: the bundled tables, the article copy, and editable copies of the data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from c5map._paths import bundled_data_dir
from c5map.tables import load_tables

# Every property test runs without Hypothesis's 200 ms deadline: a first call that imports pyproj on a loaded CI
# machine took 382 ms and failed a correct test. Speed is measured in benchmarks/, never asserted in tests.
settings.register_profile("c5map-default", deadline=None)
settings.load_profile("c5map-default")

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO.parent / "shared" / "sources" / "c5plus1-article.txt"


@pytest.fixture(scope="session")
def tables():
    return load_tables()


@pytest.fixture(scope="session")
def article() -> str:
    """The paraphrased article copy; it is not committed, CI has it beside the repo."""
    if not ARTICLE.is_file():
        pytest.skip(f"article copy not found at {ARTICLE} (it lives in shared/sources, beside the repo)")
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled CSV tables (no Natural Earth) in tmp_path/data."""
    target = tmp_path / "data"
    target.mkdir()
    for csv in bundled_data_dir().glob("*.csv"):
        shutil.copy(csv, target / csv.name)
    return target


def replace_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace text on one 1-based line of a file, failing if it is not there."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], f"{old!r} not on line {line} of {path.name}: {lines[line - 1]!r}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def expected_flow_ids(tables) -> list[tuple[str, str]]:
    """(kind, id) of the deals and trade figures geo/flow_figures should hold, sorted: between two countries with
    known capitals. Deal and trade ids are separate namespaces: a deal and a trade figure may share an id."""
    from c5map.layers import capitals

    known = set(capitals(tables))
    expected = []
    for kind, frame, key, a, b in (("deal", tables.deals, "deal_id", "partner", "country"),
                                   ("trade", tables.trade, "flow_id", "origin", "destination")):  # fmt: skip
        ok = frame[a].isin(known) & frame[b].isin(known) & (frame[a] != frame[b])
        expected += [(kind, str(i)) for i in frame.loc[ok, key]]
    return sorted(expected)


def expected_flow_pairs(tables) -> set[str]:
    """Ids ("ORIGIN-DESTINATION") of the lines geo/flows should hold: one per pair of expected_flow_ids' rows."""
    from c5map.layers import capitals

    known = set(capitals(tables))
    expected = set()
    for frame, a, b in ((tables.deals, "partner", "country"), (tables.trade, "origin", "destination")):
        ok = frame[a].isin(known) & frame[b].isin(known) & (frame[a] != frame[b])
        expected |= {f"{x}-{y}" for x, y in zip(frame.loc[ok, a], frame.loc[ok, b], strict=True)}
    return expected


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> Path:
    """`c5map build` of the bundled data with default options, once per session: OUT with maps/ and geo/."""
    from c5map.build import build

    out = tmp_path_factory.mktemp("fresh-build")
    build(None, out, progress=lambda line: None)
    return out


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium; a missing browser or asset folder fails the test, it is never skipped."""
    from browser import Chromium

    browser = Chromium()
    yield browser
    browser.close()
