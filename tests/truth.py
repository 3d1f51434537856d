"""The rules of issue 21, as checks on what a page and its image are drawn from; shared by the tests.

Each ``check_*`` takes valid tables, their story and the members' shapes, and asserts one rule on the
decisions both renderers read (``influence_views``, ``trade_selection``). ``tests/test_truth.py`` runs them
on the bundled and synthetic datasets; ``tests/test_truth_properties.py`` on generated ones.
"""

from __future__ import annotations

import re
from pathlib import Path

from c5map import layers
from c5map.maps.influence import influence_views
from c5map.maps.style import class_of
from c5map.maps.trade import trade_selection

#: The datasets every rule is checked on: the bundled data and every synthetic region of the repository.
REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "sahel-synthetic": REPO / "tests" / "data" / "sahel-synthetic",
    "pacific-synthetic": REPO / "tests" / "data" / "pacific-synthetic",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
}


def page_text(html: str) -> str:
    """A page's text with its scripts' ``\\uXXXX`` escapes decoded, as a reader meets the words in them.

    Only real escapes: a page's encoded shapes may hold a backslash before a ``u``.
    """
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda escape: chr(int(escape.group(1), 16)), html)


def class_bounds(k: int, breaks: list[float]) -> tuple[float, float]:
    """(lower, upper) of class ``k`` (0 below the first break, inf above the last)."""
    edges = [0.0, *breaks, float("inf")]
    return edges[k], edges[k + 1]


def check_class(value: float, qualifier: str, k: int, breaks: list[float], where=None) -> None:
    """A figure's class is true to its qualifier: a bound is classed on its side, others by value."""
    lower, upper = class_bounds(k, breaks)
    if qualifier in ("under", "nearly"):
        assert lower < value, where  # "less than $1bn" is never in "$1bn or more"
    elif qualifier == "over":
        assert upper > value, where  # "more than $5bn" is never in "$1bn to $5bn"
    else:
        assert lower <= value < upper, where


def check_classes(tables, story, shapes) -> None:
    """Every member's class on every view is true to its figure's qualifier."""
    views, _, breaks = influence_views(tables, story, shapes)
    for view in views:
        for _, row in view.figures[view.figures["has_figure"]].iterrows():
            assert int(row["value_class"]) == class_of(row["value_usd"], breaks, row["value_qualifier"])
            check_class(row["value_usd"], row["value_qualifier"], int(row["value_class"]), breaks,
                        (view.code, row["iso3"]))  # fmt: skip


def check_no_figure_hidden(tables, story, shapes) -> None:
    """Every member with a disclosed figure from a view's partner is coloured by one, on any basis."""
    views, _, _ = influence_views(tables, story, shapes)
    deals = tables.deals[tables.deals["value_usd"].notna() & (tables.deals["value_qualifier"] != "undisclosed")]
    members = list(story.members)
    for view in views:
        figures = view.figures.set_index("iso3")
        theirs = deals[deals["country"].isin(members)]
        theirs = theirs[theirs["partner"].isin(members) if view.within else theirs["partner"] == view.code]
        for iso3 in set(theirs["country"]) & set(figures.index):
            assert figures.loc[iso3, "has_figure"], (view.code, iso3)
        if not view.within:  # the API gives the same answer
            api = layers.partner_country_figures(tables, shapes, view.code, region=story.region)
            assert list(api["has_figure"]) == list(view.figures["has_figure"])


def check_bases_never_added(tables, story, shapes) -> None:
    """A member's coloured figure is one partner's sum on one basis, never a sum across bases."""
    views, _, _ = influence_views(tables, story, shapes)
    totals = layers.deal_totals(tables.deals)
    for view in views:
        for _, row in view.figures[view.figures["has_figure"]].iterrows():
            same = totals[(totals["country"] == row["iso3"]) & (totals["value_basis"] == row["value_basis"])]
            same = same[same["partner"].isin(story.members) if view.within else same["partner"] == view.code]
            assert row["value_usd"] in set(same["value_usd"]), (view.code, row["iso3"])


def check_who_courts_whom(tables, story, shapes) -> None:
    """No member is a partner courting its own region; every outside partner with figures has a view."""
    members = set(story.members)
    assert not members & set(story.partners)
    views, left_out, _ = influence_views(tables, story, shapes)
    inside = members | {story.region}
    deals, trade = tables.deals, tables.trade
    outside = set(deals.loc[deals["country"].isin(inside) & ~deals["partner"].isin(inside), "partner"])
    outside |= set(trade.loc[trade["destination"].isin(inside) & ~trade["origin"].isin(inside), "origin"])
    outside |= set(trade.loc[trade["origin"].isin(inside) & ~trade["destination"].isin(inside), "destination"])
    assert {v.code for v in views if not v.within} | set(left_out) == outside
    within = deals["partner"].isin(members) & deals["country"].isin(members)
    assert any(v.within for v in views) == bool(within.any())


def check_trade_rows_drawn_or_named(tables, story) -> None:
    """Every trade row is drawn, region-level, or among the figures a note names; the largest exporter opens."""
    selection = trade_selection(tables, story.region)
    parts = [selection.exports, selection.undrawn_exports, selection.other, selection.totals]
    assert sorted(i for frame in parts for i in frame["flow_id"]) == sorted(tables.trade["flow_id"])
    assert not set(selection.exports["flow_id"]) & set(selection.undrawn_exports["flow_id"])
    if selection.exporters:
        sums = selection.exports.groupby("origin")["value_usd"].sum()
        assert sums[selection.exporters[0][0]] == sums.max()
    drawn = {o for o, _ in selection.exporters}
    assert set(selection.undrawn_exporters()) == set(selection.undrawn_exports["origin"]) - drawn


CHECKS = (check_classes, check_no_figure_hidden, check_bases_never_added, check_who_courts_whom)
