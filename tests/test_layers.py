"""Joins: figures per partner and country, regions, points and flows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import shapely

from c5map import layers
from c5map.boundaries import load_countries
from c5map.tables import load_tables

TABLES = load_tables()
COUNTRIES = load_countries("10m")
C5 = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]


def _deals(*rows):
    columns = TABLES.deals.columns
    frame = pd.DataFrame(
        [
            dict(
                zip(
                    ["deal_id", "partner", "country", "value_basis", "value_usd", "value_qualifier", "date"],
                    r,
                    strict=True,
                )
            )
            for r in rows
        ]
    )
    return frame.reindex(columns=columns)


def test_totals_add_only_like_with_like():
    deals = _deals(
        ("a", "USA", "KAZ", "agreements", 4e9, "exact", "2025-09"),
        ("b", "USA", "KAZ", "agreements", 1e9, "over", "2025-10"),
        ("c", "USA", "KAZ", "investment", 2e9, "exact", "2025"),
    )
    totals = layers.deal_totals(deals).set_index("value_basis")
    assert totals.loc["agreements", "value_usd"] == 5e9
    assert totals.loc["agreements", "value_qualifier"] == "over"
    assert totals.loc["agreements", "value_text"] == "more than $5bn"
    assert totals.loc["investment", "value_usd"] == 2e9
    assert totals.loc["agreements", "deal_ids"] == "a; b"
    assert (totals.loc["agreements", "first_date"], totals.loc["agreements", "last_date"]) == (
        "2025-09",
        "2025-10",
    )


def test_undisclosed_is_counted_not_summed():
    deals = _deals(("a", "USA", "UKR", "agreements", float("nan"), "undisclosed", "2025-05"))
    total = layers.deal_totals(deals).iloc[0]
    assert math.isnan(total["value_usd"]) and total["value_qualifier"] == "undisclosed"
    assert total["n_undisclosed"] == 1 and total["value_text"] == "undisclosed value"


@pytest.mark.parametrize("partner", ["USA", "CHN"])
def test_partner_figures_keep_every_member_and_never_spread_the_region(partner):
    figures = layers.partner_country_figures(TABLES, COUNTRIES, partner)
    assert list(figures["iso3"]) == C5
    assert figures.crs.to_epsg() == 4326
    # the US's $12.4bn with Central Asia as a whole is not on any member
    assert 12.4e9 not in set(figures["value_usd"].dropna())
    no_deal = figures[~figures["has_deal"]]
    assert (no_deal["value_text"] == "no reported figure").all()
    assert no_deal["value_usd"].isna().all() and not no_deal["has_figure"].any()


def test_partner_figures_values():
    usa = layers.partner_country_figures(TABLES, COUNTRIES, "USA").set_index("iso3")
    assert usa.loc["UZB", "value_text"] == "$8bn" and usa.loc["KAZ", "value_text"] == "$4.2bn"
    assert not usa.loc["KGZ", "has_figure"]
    chn = layers.partner_country_figures(TABLES, COUNTRIES, "CHN").set_index("iso3")
    assert chn.loc["KAZ", "value_text"] == "nearly $15bn"


def test_partners_are_everyone_outside_with_a_figure_in_the_region_the_storys_weight_first():
    # Russia has trade with the region as a whole; KAZ's own programme is within the region, not a partner
    assert layers.partners(TABLES) == ["USA", "CHN", "RUS"]
    within = layers.within_region_figures(TABLES, COUNTRIES).set_index("iso3")
    assert within.loc["KAZ", "value_text"] == "$1bn" and within.loc["KAZ", "value_basis"] == "financing"
    assert within["has_deal"].sum() == 1


def _tables_with_deals(*rows):
    from dataclasses import replace

    return replace(TABLES, deals=_deals(*rows))


def test_a_deal_on_another_basis_is_coloured_by_its_own_figure_never_added():
    tables = _tables_with_deals(
        ("a", "ARE", "KAZ", "agreements", 2e9, "exact", "2025-01"),
        ("b", "ARE", "UZB", "agreements", 1e9, "exact", "2025-02"),
        ("c", "ARE", "KGZ", "investment", 5e8, "about", "2025-03"),
        ("d", "ARE", "TJK", "financing", float("nan"), "undisclosed", "2025-04"),
        ("e", "ARE", "UZB", "pipeline", 3e9, "over", "2025-05"),
    )
    figures = layers.partner_country_figures(tables, COUNTRIES, "ARE").set_index("iso3")
    assert figures.loc["KAZ", "has_figure"] and figures.loc["KAZ", "value_text"] == "$2bn"
    # a figure on another basis is shown, not hidden by the basis most deals have
    assert figures.loc["KGZ", "has_figure"] and figures.loc["KGZ", "value_basis"] == "investment"
    assert figures.loc["KGZ", "value_text"] == "about $500m"
    # the largest figure of one basis, never the sum of two (3bn + 1bn is not 4bn)
    assert figures.loc["UZB", "value_usd"] == 3e9 and figures.loc["UZB", "value_basis"] == "pipeline"
    assert figures.loc["UZB", "deals_text"] == "more than $3bn (projects in the pipeline); $1bn (agreements signed)"
    assert figures.loc["TJK", "has_deal"] and not figures.loc["TJK", "has_figure"]
    assert figures.loc["TJK", "value_text"] == "undisclosed value (financing announced)"
    assert not figures.loc["TKM", "has_deal"] and figures.loc["TKM", "value_text"] == "no reported figure"
    assert figures.loc["KGZ", "deal_ids"] == "c"
    one_basis = layers.partner_country_figures(tables, COUNTRIES, "ARE", value_basis="agreements").set_index("iso3")
    assert one_basis.loc["UZB", "value_usd"] == 1e9 and not one_basis.loc["KGZ", "has_figure"]


def test_layer_basis_breaks_ties_in_a_fixed_order():
    deals = _deals(("a", "ARE", "KAZ", "pipeline", 1e9, "exact", "2025"), ("b", "ARE", "UZB", "investment", 1e9,
                                                                         "exact", "2025"))  # fmt: skip
    assert layers.layer_basis(deals) == "investment"


def test_region_outline_is_the_union_of_members():
    outline = layers.region_outlines(TABLES, COUNTRIES).set_index("region").loc["C5"]
    members = shapely.union_all(COUNTRIES.loc[COUNTRIES.iso3.isin(C5), "geometry"].values)
    assert outline["members"] == "; ".join(C5)
    assert math.isclose(outline.geometry.area, members.area, rel_tol=1e-9)
    assert outline.geometry.is_valid


def test_region_figures():
    figures = layers.region_figures(TABLES, COUNTRIES).set_index("figure_id")
    assert set(figures.index) == {
        "usa-c5-trade-deals-2025-h1",
        "rus-c5-total-trade-2024",
        "chn-c5-total-trade-2024",
    }
    assert figures.loc["rus-c5-total-trade-2024", "value_text"] == "more than $45bn"
    assert figures.loc["chn-c5-total-trade-2024", "partner"] == "CHN"
    assert (figures["region"] == "C5").all()


def test_flows_run_between_capitals():
    flows = layers.flows(TABLES)
    caps = layers.capitals(TABLES)
    assert len(flows) == 11
    for _, flow in flows.iterrows():
        parts = list(flow.geometry.geoms) if flow.geometry.geom_type == "MultiLineString" else [flow.geometry]
        assert parts[0].coords[0] == caps[flow["origin"]]
        assert parts[-1].coords[-1] == caps[flow["destination"]]
    assert "usa-c5-trade-deals-2025-h1" not in set(flows["flow_id"])  # region-level: not a flow
    # Canberra <-> Washington crosses the antimeridian
    assert (
        flows.set_index("flow_id").loc["usa-aus-critical-minerals-framework-2025"].geometry.geom_type
        == "MultiLineString"
    )


def test_points_only_where_located():
    resources = layers.resource_points(TABLES)
    assert list(resources["resource_id"]) == ["kaz-karagandy-rare-earths"]
    assert resources.iloc[0]["quantity_text"] == "more than 20 million tonnes"
    events = layers.event_points(TABLES)
    assert set(events["location_precision"]) == {"city"}
    assert len(events) == (TABLES.events["location_precision"] == "city").sum()
