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
    """`c5map build` of the bundled data with default options, once per test run (builds.py): OUT, maps/ and geo/."""
    from builds import shared_build

    return shared_build(tmp_path_factory, None)


# The quick lane, `pytest -m "not browser and not slow"`, leaves out what takes most of the suite's time; the full
# suite (scripts/test.sh, CI) runs everything. Markers are set here, from what a test uses, so no test file has to
# remember them. `browser`: the test opens a page in Chromium. Every such test asks for the `chromium` fixture
# (tests/browser.py's harness, one browser per session), directly or through a fixture that does; no test starts
# Playwright or Chromium any other way.
BROWSER_FIXTURES = frozenset({"chromium"})
# `slow`: the test builds a whole site or more, each measured over 2 s on a loaded 2-core machine (pytest
# --durations, issue 26). Either it uses a fixture that runs `c5map build` (a module-scoped build is paid by the
# first test that asks for it, so every user of the fixture goes, or the build would move to the next one) ...
SLOW_FIXTURES = frozenset({
    "fresh_build", "second_build", "built", "built_without_tiles", "built_self_contained", "pages", "hostile_build",
    "arabic_publisher_build", "dataset", "bundled_maps", "site",
    "big",  # test_scale: 100,000-row synthetic tables, imported and built
    "wheel",  # test_packaging: builds the wheel and installs it in a fresh environment
})  # fmt: skip
# ... or its module is all full builds, Hypothesis over builds, or fault injection (kills, full disks, races) ...
# (test_qgis_load.py runs Debian's QGIS, which scripts/test.sh installs: a quick run without it still works)
# (test_print_fill.py and test_print_thumbnails.py draw every image of five datasets; test_parallel_workers.py
# builds under threads and kills builds)
SLOW_MODULES = frozenset({"test_valid_data_builds.py", "test_truth_properties.py", "test_reliability.py",
                          "test_qgis_load.py", "test_print_fill.py", "test_print_thumbnails.py",
                          "test_parallel_workers.py"})  # fmt: skip
# ... or, in its own body, it builds, kills or signals a build, an import or a server, runs out of file descriptors,
# races two imports, executes notebooks or sweeps Hypothesis strategies.
SLOW_TESTS = frozenset({
    "test_any_region.py::test_rebuild_keeps_files_c5map_did_not_write",
    "test_any_region.py::test_rebuild_refuses_to_overwrite_a_file_it_did_not_write",
    "test_boundaries.py::test_natural_earths_own_10m_file_is_repaired_with_a_located_warning",
    "test_boundaries.py::test_validate_export_and_build_accept_a_shapefile_in_etrs89",
    "test_build.py::test_build_killed_midway_leaves_previous_outputs",
    "test_build.py::test_build_writes_maps_with_progress",
    "test_build.py::test_invalid_data_stops_the_build_and_keeps_previous_outputs",
    "test_build.py::test_tiles_that_need_a_key_give_way_to_keyless_ones_and_the_build_says_so",
    "test_cli.py::test_a_scheme_classes_the_pages_and_their_print_images",
    "test_cli.py::test_a_self_contained_build_without_tiles_says_nothing_of_the_network",
    "test_cli.py::test_a_build_whose_pages_need_the_network_says_so_once",
    "test_build.py::test_forked_workers_write_the_same_files_as_one_process",
    "test_build.py::test_users_own_data_folder_builds",
    "test_datasets.py::test_strategy_reaches",
    "test_import_cli.py::test_import_then_validate_then_build",
    "test_import_safety.py::test_a_signal_inside_duckdb_ends_the_import_with_one_line_and_no_scratch",
    "test_import_safety.py::test_an_import_killed_at_any_rename_leaves_old_or_new_rows",
    "test_import_safety.py::test_scratch_left_by_a_killed_import_is_reclaimed_by_the_next",
    "test_import_safety.py::test_two_imports_at_once_keep_both_their_rows",
    "test_notebooks.py::test_runs_top_to_bottom",
    "test_scale.py::test_a_zero_value_validates_and_builds_every_page_and_image",
    "test_serve.py::test_a_change_renders_only_its_pages_and_they_equal_a_full_build",
    "test_serve.py::test_serve_classes_and_writes_its_pages_as_build_does_with_a_scheme_and_a_locale",
    "test_serve_limits.py::test_a_rebuild_that_failed_for_lack_of_file_descriptors_is_tried_again",
    "test_serve_limits.py::test_a_test_server_stops_though_the_test_ignores_sigint_and_blocks_sigterm",
    "test_serve_limits.py::test_a_test_server_stops_when_the_test_dies",
    "test_serve_limits.py::test_under_ulimit_n_128_with_200_slow_connections_an_edit_is_served",
})  # fmt: skip


def is_slow(item: pytest.Item) -> bool:
    """Whether a collected test is one of the slow ones described above."""
    name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
    uses = set(getattr(item, "fixturenames", ()))
    return bool(SLOW_FIXTURES & uses) or item.path.name in SLOW_MODULES or name in SLOW_TESTS


# The suite runs a test file to a worker (scripts/test.sh: pytest-xdist, --dist loadfile), in collection order
# (--no-loadscope-reorder: by default xdist sends the files with most tests first, and so the 80-second Hypothesis
# build, one test, came last and ran alone for its last minute). The longest files go first, so none starts last and
# keeps one worker busy while the others have nothing left. Seconds on 2 workers, from `pytest --junitxml` (issue 26);
# a file not listed goes after these, in its own order.
LONGEST_FIRST = (
    "test_valid_data_builds.py",  # 77 s in one test (145 s while the browser files run beside it)
    "test_cartography.py", "test_reader_product.py", "test_interaction.py", "test_reliability.py",  # 91-159 s
    "test_timeline.py", "test_any_region.py", "test_locales.py", "test_serve.py",  # 46-58 s
    "test_scale.py", "test_print_thumbnails.py", "test_cli.py", "test_build.py", "test_static.py",  # 33-40 s
    "test_search.py", "test_truth.py", "test_datasets.py", "test_import_safety.py", "test_maps.py",  # 28-32 s
)  # fmt: skip


def pytest_collection_modifyitems(config, items):
    """Mark tests `browser` and `slow` (see above), and put the longest files first (each file's tests together).

    The quick lane deselects the marked tests, the full suite runs them.
    """
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's order is kept
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium; a missing browser or asset folder fails the test, it is never skipped."""
    from browser import Chromium

    browser = Chromium()
    yield browser
    browser.close()
