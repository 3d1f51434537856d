"""Hostile text (issue 17): control characters, bidi controls and terminal escapes never act on a reader or a terminal.

Unbalanced direction controls and control characters are located validation errors (see the corpus in
``tests/bad_inputs.py``); what remains valid, right-to-left text, is isolated in pages and images so that it
cannot reorder the tool's own text around it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import replace_line

from c5map._paths import bundled_data_dir
from c5map.errors import Problem, printable
from c5map.maps.safety import escape_text, isolate_bidi, json_for_script
from c5map.schema import unbalanced_direction_control
from c5map.tables import read_tables

FSI, PDI, RLO, PDF = "\u2068", "\u2069", "\u202e", "\u202c"
ARABIC = "\u0627\u0644\u062c\u0632\u064a\u0631\u0629"  # al-Jazeera


def test_printable_escapes_what_a_terminal_would_act_on_and_keeps_every_script():
    assert printable("\x1b[8mhidden\x07") == "\\x1b[8mhidden\\x07"
    assert printable(f"Al {RLO}Jazeera") == "Al \\u202eJazeera"
    assert printable("Қазақстан, 中国, " + ARABIC) == "Қазақстан, 中国, " + ARABIC
    assert str(Problem("deals.csv", 1, "\x1b[8mnote", "unknown column")) == "deals.csv:1: \\x1b[8mnote: unknown column"


def test_a_header_with_a_terminal_escape_is_printed_escaped(data_copy):
    replace_line(data_copy / "deals.csv", 1, ",note,", ",\x1b[8mnote,")
    result = subprocess.run(
        [sys.executable, "-m", "c5map.cli", "validate", "--data", str(data_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "\x1b" not in result.stderr
    assert "deals.csv:1: \\x1b[8mnote: unknown column" in result.stderr


@pytest.mark.parametrize(
    ("text", "position"),
    [
        (f"Al {RLO}Jazeera", 3),  # never closed
        (f"Al Jazeera{PDF}", 10),  # closes nothing
        (f"Al Jazeera{PDI}", 10),
        (f"\u2067{ARABIC}\nand{PDI}", 0),  # a line break ends the isolate: it was never closed
        (f"\u2067{RLO}{ARABIC}{PDI} and \u202bx{PDF}", None),  # a PDI closes the override inside its isolate
        (ARABIC, None),
    ],
)
def test_unbalanced_direction_controls_are_found(text, position):
    assert unbalanced_direction_control(text) == position


def test_balanced_direction_controls_are_valid(data_copy):
    replace_line(data_copy / "sources.csv", 2, "Al Jazeera", f"Al {RLO}Jazeera{PDF}")
    _, problems = read_tables(data_copy)
    assert problems == []


def test_control_characters_are_located_in_every_free_text_column_and_tabs_only_there(data_copy):
    replace_line(data_copy / "deals.csv", 4, "Wabtec", "Wab\ttec")  # a tab in free text: allowed
    replace_line(data_copy / "events.csv", 2, ",forum,", ",for\tum,")  # a tab in an allowed value: not
    replace_line(data_copy / "places.csv", 2, "Washington", "Wash\x85ington")  # C1 NEXT LINE
    _, problems = read_tables(data_copy)
    found = {(p.file.rsplit("/", 1)[-1], p.line, p.column): p.message for p in problems}
    assert set(found) == {("events.csv", 2, "kind"), ("places.csv", 2, "name")}, problems
    assert "U+0009 (TAB)" in found["events.csv", 2, "kind"] and "free-text" in found["events.csv", 2, "kind"]
    assert "U+0085 (NEL)" in found["places.csv", 2, "name"]


def test_isolation_leaves_left_to_right_text_alone_and_isolates_right_to_left_runs():
    assert isolate_bidi("Deals with Kazakhstan: $4.2bn") == "Deals with Kazakhstan: $4.2bn"
    assert isolate_bidi(f"Source: {ARABIC} 24, C5+1") == f"Source: {FSI}{ARABIC}{PDI} 24, C5+1"
    # a stray PDI would close the isolate around it; an open override is closed inside it
    assert isolate_bidi(f"{PDI}{RLO}x") == f"{FSI}{RLO}x{PDF}{PDI}"
    assert escape_text(f"<{ARABIC}>") == f"&lt;{FSI}{ARABIC}{PDI}&gt;"
    assert json.loads(json_for_script({"name": ARABIC})) == {"name": f"{FSI}{ARABIC}{PDI}"}


@pytest.fixture(scope="module")
def arabic_publisher_build(tmp_path_factory):
    """The bundled data with a right-to-left publisher followed by digits, built with images."""
    from c5map.build import build

    root = tmp_path_factory.mktemp("rtl")
    data = root / "data"
    data.mkdir()
    for csv in bundled_data_dir().glob("*.csv"):
        shutil.copy(csv, data / csv.name)
    replace_line(data / "sources.csv", 2, "Al Jazeera", f"{ARABIC} 24")
    build(data, root / "out", tiles="none", progress=lambda line: None)
    return root / "out"


# Where the page draws "24" against the Arabic publisher before it: to its right when the name is isolated;
# without isolation the digits join the right-to-left run and are drawn to its left.
_POSITIONS = """([arabic]) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(arabic);
    if (at < 0 || !node.data.includes('Made with Natural Earth') || node.parentElement.closest('script')) continue;
    const rect = (start, end) => { const r = document.createRange(); r.setStart(node, start);
                                   r.setEnd(node, end); return r.getBoundingClientRect(); };
    const digits = node.data.indexOf('24', at);
    const made = node.data.indexOf('Made with');
    return {name: rect(at, at + arabic.length).left, digits: rect(digits, digits + 2).left,
            made: rect(made, made + 9).left, source: rect(0, 6).left};
  }
  return null;
}"""


@pytest.mark.parametrize("name", ["index.html", "influence.html"])
def test_right_to_left_data_keeps_the_page_text_around_it_in_order(chromium, arabic_publisher_build, name):
    visit = chromium.open(arabic_publisher_build / "maps" / name)  # Leaflet from the local npm copy
    try:
        where = visit.page.evaluate(_POSITIONS, [ARABIC])
    finally:
        visit.page.close()
    assert where is not None, "no source line with the publisher"
    assert where["source"] < where["name"] < where["digits"] < where["made"], where


def test_right_to_left_data_is_isolated_in_the_images(arabic_publisher_build):
    for still in ("influence", "trade", "resources", "timeline"):
        svg = (arabic_publisher_build / "maps" / "svg" / f"{still}.svg").read_text(encoding="utf-8")
        assert f"{FSI}{ARABIC}{PDI} 24" in svg, still
        assert f"{ARABIC} 24" not in svg.replace(f"{FSI}{ARABIC}{PDI} 24", ""), still
