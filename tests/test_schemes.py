"""Class schemes (issue 25 item 2): mapclassify's classes, breaks the legend writes exactly, bounds on their side.

Breaks are compared with mapclassify's own on the same figures; every figure must sit in the class its
label says, on the page and in print, for the bundled data and the synthetic Sahel.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import mapclassify
import matplotlib.pyplot as plt
import numpy as np
import pytest
import truth
from coloraide import Color

from c5map import images
from c5map.boundaries import web_countries
from c5map.classify import MAX_CLASSES, SCHEMES, Classes, class_breaks, classes_in_use, legend_breaks, using
from c5map.errors import UsageError
from c5map.format import format_usd
from c5map.maps import influence_map, trade_map
from c5map.maps.safety import escape_text
from c5map.maps.style import FILL_OPACITY, LAND_COLOUR, PALETTE, class_colours, class_labels, class_of, nice_breaks
from c5map.scenes.influence import WITHIN_COLOUR, influence_scene
from c5map.scenes.trade import trade_scene, trade_selection
from c5map.story import story_for
from c5map.validate import load_valid_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {"bundled": None, "sahel-synthetic": REPO / "tests" / "data" / "sahel-synthetic"}
COMPUTED = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks,
            "equal_interval": mapclassify.EqualInterval}  # fmt: skip
_RANDOM = np.random.default_rng(25)
#: Figures as sources report them (at most three significant digits), and figures of any precision (trade).
REPORTED = sorted({float(f"{v:.2g}") for v in _RANDOM.lognormal(21, 1.6, 80)})
PRECISE = sorted(set(_RANDOM.lognormal(22, 1.2, 80).round()))
SAHEL_LIKE = [5e7, 8e7, 1e8, 1.2e8, 1.5e8, 2e8, 2.5e8, 3e8, 4e8, 5e8, 6e8, 1e9, 1.5e9, 2e9, 4.6e9, 1.1e10]
#: FisherJenks says it runs without numba (slower, same breaks); the tests' own calls of it say so too.
pytestmark = pytest.mark.filterwarnings("ignore:Numba not installed")
MONEY = re.compile(r"\$([\d.,]+)(tn|bn|m)?")


def money(text: str) -> float:
    """The dollars a legend writes: "$4.7bn" -> 4.7e9."""
    number, unit = MONEY.fullmatch(text).groups()
    return float(number.replace(",", "")) * {"tn": 1e12, "bn": 1e9, "m": 1e6, None: 1}[unit]


def said_range(label: str) -> tuple[float, float]:
    """The [low, high) a class label says: "less than $1bn", "$1bn to $2.5bn", "$2.5bn or more"."""
    if label.startswith("less than "):
        return 0.0, money(label.removeprefix("less than "))
    if label.endswith(" or more"):
        return money(label.removesuffix(" or more")), float("inf")
    low, high = label.split(" to ")
    return money(low), money(high)


def mapclassify_classes(scheme: str, figures, k: int) -> list[int]:
    return [int(c) for c in COMPUTED[scheme](np.array(figures), k=k).yb]


@pytest.mark.parametrize("scheme", list(COMPUTED))
@pytest.mark.parametrize("k", [2, 3, 5, 7])
@pytest.mark.parametrize("figures", [REPORTED, SAHEL_LIKE], ids=["lognormal", "sahel-like"])
def test_figures_fall_in_mapclassify_s_classes(scheme, k, figures):
    with using(scheme, k=k):
        breaks = class_breaks(figures, "test")
    assert [class_of(v, breaks) for v in figures] == mapclassify_classes(scheme, figures, k)
    bins = COMPUTED[scheme](np.array(figures), k=k).bins
    for ours, theirs in zip(breaks, bins, strict=False):  # each break separates what mapclassify's bin does
        assert max(v for v in figures if v <= theirs) < ours <= min(v for v in figures if v > theirs)


@pytest.mark.parametrize("scheme", list(COMPUTED))
@pytest.mark.parametrize("k", [2, 4, 6])
def test_every_figure_sits_in_the_class_its_label_says(scheme, k):
    """Figures of any precision: the label's words are the bounds the figure is classed by."""
    with using(scheme, k=k):
        breaks = class_breaks(PRECISE, "test")
    labels = class_labels(breaks, format_usd)
    assert len(labels) == len(breaks) + 1
    for value in PRECISE:
        low, high = said_range(labels[class_of(value, breaks)])
        assert low <= value < high, (value, labels[class_of(value, breaks)])
    moved = sum(a != b for a, b in zip([class_of(v, breaks) for v in PRECISE],
                                       mapclassify_classes(scheme, PRECISE, k), strict=True))  # fmt: skip
    assert moved <= 2  # only where two figures differ past the third digit


def test_breaks_are_mapclassify_s_own_where_the_legend_can_write_them():
    figures = [1e9, 2e9, 3e9, 4e9]
    with using("quantiles", k=2):
        assert class_breaks(figures, "test") == [2.5e9] == list(mapclassify.Quantiles(figures, k=2).bins[:-1])
    with using("equal_interval", k=2):
        assert (
            class_breaks([1e9, 2e9, 9e9], "test")
            == [5e9]
            == list(mapclassify.EqualInterval([1e9, 2e9, 9e9], k=2).bins[:-1])
        )
    # mapclassify's bin 2e9 keeps 2e9 below it; a class that starts at 2e9 would not: the next one starts above
    assert legend_breaks(figures, [2e9, 4e9]) == [2.1e9]
    assert legend_breaks(figures, [2.5123456e9, 4e9]) == [2.5e9]


def test_legend_labels_are_readable_money():
    with using("natural_breaks", k=4):
        labels = class_labels(class_breaks(PRECISE, "test"), format_usd)
    assert all(re.fullmatch(r"(less than )?\$[\d.,]+(tn|bn|m)?( to \$[\d.,]+(tn|bn|m)?| or more)?", x) for x in labels)
    assert all(len(re.sub(r"\D", "", n)) <= 3 for x in labels for n in MONEY.findall(x) for n in [n[0]])


def test_user_breaks_are_the_users_and_class_as_mapclassify_does_off_the_breaks():
    breaks = [1e8, 5e8, 2e9]
    with using("user", breaks="1e8,5e8,2e9"):
        assert class_breaks(SAHEL_LIKE, "test") == breaks
    off = [v for v in REPORTED if v not in breaks]
    theirs = mapclassify.UserDefined(np.array(off), bins=breaks)
    assert list(theirs.bins[:-1]) == breaks
    assert [class_of(v, breaks) for v in off] == [int(c) for c in theirs.yb]
    assert class_of(5e8, breaks) == 2  # a break starts its class: "$500m to $2bn"


def test_the_default_is_the_1_2_5_ladder():
    assert classes_in_use() == Classes()
    assert class_breaks(REPORTED, "test") == nice_breaks(REPORTED, classes=4)


def test_k_is_at_most_the_distinct_figures_and_defaults_to_them():
    with using("quantiles", k=5), pytest.raises(UsageError, match=r"^--k 5: the trade page has 4 distinct figures"):
        class_breaks([1e9, 2e9, 3e9, 3e9, 4e9], "trade")
    with using("quantiles"):  # no k asked for: five classes, or as many as there are distinct figures
        assert len(class_breaks([1e9, 2e9, 3e9, 4e9], "trade")) == 3
        assert len(class_breaks(REPORTED, "trade")) == 4
        assert class_breaks([2e9, 2e9], "trade") == [] and class_breaks([], "trade") == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scheme": "quantiles", "k": 1}, "--k 1: give 2 to 7 classes"),
        ({"scheme": "quantiles", "k": 8}, "--k 8: give 2 to 7 classes"),
        ({"breaks": "1e9,5e9"}, "--breaks needs --scheme user"),
        ({"scheme": "quantiles", "breaks": "1e9"}, "--breaks needs --scheme user"),
        ({"scheme": "user"}, "--scheme user needs --breaks"),
        ({"scheme": "user", "breaks": "5e9,1e9"}, "--breaks 5e9,1e9: not increasing: 1e9 comes after 5e9"),
        ({"scheme": "user", "breaks": "1e9,1e9"}, "not increasing: 1e9 comes after 1e9"),
        ({"scheme": "user", "breaks": "1e9,five"}, "'five' is not a number"),
        ({"scheme": "user", "breaks": "-1e9"}, "-1e9 is not a positive amount"),
        ({"scheme": "user", "breaks": "1.2345e9"}, r"would write 1.2345e9 as \$1.23bn"),
        ({"scheme": "user", "breaks": "1,2,3,4,5,6,7"}, "8 classes; give at most 6 breaks"),
        ({"scheme": "user", "breaks": "1e9", "k": 3}, "--k 3: --scheme user has one class more"),
        ({"k": 4}, "--k 4 needs --scheme"),
        ({"scheme": "jenks"}, "--scheme jenks: unknown scheme"),
    ],
)
def test_bad_options_are_usage_errors_naming_the_option(options, message):
    with pytest.raises(UsageError, match=message):
        Classes.of(**options)


@pytest.mark.parametrize("n", [6, MAX_CLASSES])
def test_up_to_max_classes_every_shade_reads_apart_from_its_neighbour(n):
    def shown(fill):
        return Color.layer([Color(fill).set("alpha", FILL_OPACITY), LAND_COLOUR], space="srgb")

    for colour in (*PALETTE, WITHIN_COLOUR):
        shades = [shown(s) for s in class_colours(colour, n)]
        assert min(a.delta_e(b, method="2000") for a, b in itertools.pairwise(shades)) >= 8, colour


def _as_text(html: str) -> str:
    """The page's HTML with its JSON escapes (``\\u0026``) read, as test_scenes reads it."""
    return truth.page_text(html)


def _print_text(fig) -> str:
    text = " ".join(t.get_text() for t in fig.findobj(plt.Text))
    plt.close(fig)
    return text


@pytest.fixture(scope="module", params=list(DATASETS))
def dataset(request):
    tables = load_valid_tables(DATASETS[request.param])
    return tables, story_for(tables)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_scheme_classes_the_influence_page_and_print_follows(dataset, scheme):
    tables, story = dataset
    options = {"breaks": "2e8,1e9,5e9"} if scheme == "user" else {"k": 3}
    with using(scheme, **options):
        scene = influence_scene(tables, story, web_countries(list(story.members)))
        page = _as_text(influence_map(tables, tiles="none", story=story).get_root().render())
        printed = _print_text(images.influence_image(tables, story).figure)
    assert len(scene.breaks) == (3 if scheme == "user" else 2)
    labels = class_labels(scene.breaks, format_usd)
    for label in labels:
        assert escape_text(label) in page
    assert any(label in printed for label in labels)
    for view in scene.views:
        figures = view.figures[view.figures["has_figure"]]
        for value, qualifier, drawn in zip(figures["value_usd"], figures["value_qualifier"], figures["value_class"],
                                           strict=True):  # fmt: skip
            assert drawn == class_of(value, scene.breaks, qualifier)
            if qualifier == "exact":
                low, high = said_range(labels[drawn])
                assert low <= value < high


@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_scheme_classes_the_trade_page(dataset, scheme):
    tables, story = dataset
    options = {"breaks": "1e8,1e9"} if scheme == "user" else {}
    exports = trade_selection(tables, story.region).exports
    codes = set(web_countries(sorted(set(exports["destination"]) | set(story.members)))["iso3"])
    with using(scheme, **options):
        scene = trade_scene(tables, story, codes)
        page = _as_text(trade_map(tables, tiles="none", story=story).get_root().render())
    assert scene.breaks and scene.breaks != tuple(nice_breaks(list(exports["value_usd"])))
    for label in class_labels(scene.breaks, format_usd):
        assert escape_text(label) in page


def test_bounds_still_class_on_their_side():
    """Sahel: "less than $1bn" is below a class starting at $1bn; "more than $400m" above one starting at $400m."""
    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    story = story_for(tables)
    with using("user", breaks=[4e8, 1e9]):
        scene = influence_scene(tables, story, web_countries(list(story.members)))
    seen = set()
    for view in scene.views:
        f = view.figures[view.figures["has_figure"]]
        for value, qualifier, drawn in zip(f["value_usd"], f["value_qualifier"], f["value_class"], strict=True):
            seen.add((value, qualifier, int(drawn)))
    assert (1e9, "under", 1) in seen and (4e8, "over", 1) in seen


def test_the_build_s_workers_class_as_it_does_forked_or_by_the_fork_server():
    """The print images are drawn in workers: each must see the classes the build uses."""
    import threading

    from c5map.build import _beside

    chosen = Classes.of("quantiles", k=3)
    with using(chosen):
        (job,), where = _beside([(classes_in_use,)])
        # forked, or by the fork server where an earlier test (a browser's) left threads running
        assert (where, job.result()) == ("forked" if threading.active_count() == 1 else "fork-server", chosen)
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()  # a process with threads (a notebook) has the fork server fork its workers
        try:
            (job,), where = _beside([(classes_in_use,)])
            assert (where, job.result()) == ("fork-server", chosen)
        finally:
            stop.set()
            other.join()
