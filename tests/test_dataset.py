"""The shipped dataset: one test per record, checked against the article and the schema."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from c5map._paths import bundled_data_dir
from c5map.schema import table_schemas
from c5map.tables import load_tables

TABLES = load_tables()
PASSAGE_SEPARATOR = " […] "
FACT_TABLES = {"deals": "deal_id", "trade": "flow_id", "resources": "resource_id", "events": "event_id"}


def _records(table: str):
    id_column = FACT_TABLES.get(table) or table_schemas()[table].primary_key[0]
    frame = TABLES[table]
    return [pytest.param(row, id=str(row[id_column])) for _, row in frame.iterrows()]


def _mentions(passage: str, number: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", passage) is not None


def _spellings(value: float) -> list[str]:
    """How the article may write a figure: 12.4bn, 45 billion, 20 million, 90."""
    out = []
    for size in (1e9, 1e6, 1.0):
        if value >= size:
            out.append(f"{value / size:.10g}")
    return out


@pytest.mark.parametrize("table", list(FACT_TABLES))
def test_file_header_is_the_schema(table):
    with (bundled_data_dir() / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == table_schemas()[table].column_names


@pytest.mark.parametrize("table", list(table_schemas()))
def test_every_column_is_described(table):
    for field in table_schemas()[table].fields:
        assert len(field.description) > 10, f"{table}.{field.name} needs a description"


@pytest.mark.parametrize("row", _records("deals") + _records("trade") + _records("resources") + _records("events"))
def test_source_passage_is_verbatim_in_the_article(row, article):
    passages = row["source_passage"].split(PASSAGE_SEPARATOR)
    for passage in passages:
        assert passage in article, f"not found verbatim in the article copy: {passage!r}"


@pytest.mark.parametrize("row", _records("deals") + _records("trade"))
def test_money_figure_is_in_its_passage(row):
    if row["value_qualifier"] == "undisclosed":
        assert row["value_usd"] != row["value_usd"]  # NaN: nothing invented
        return
    spellings = _spellings(row["value_usd"])
    assert any(_mentions(row["source_passage"], s) for s in spellings), (spellings, row["source_passage"])


@pytest.mark.parametrize("row", _records("resources"))
def test_quantity_is_in_its_passage(row):
    assert any(_mentions(row["source_passage"], s) for s in _spellings(row["quantity"]))


@pytest.mark.parametrize("row", _records("trade"))
def test_trade_year_is_the_passage_year_or_last_year(row):
    passage = row["source_passage"]
    assert str(row["year"]) in passage or ("final 12 months" in passage and row["year"] == 2024)


QUALIFIER_WORDS = {"over": ("exceeded", "greater than", "more than"), "nearly": ("practically", "nearly")}


@pytest.mark.parametrize("row", _records("deals") + _records("trade") + _records("resources"))
def test_qualifier_matches_the_wording(row):
    words = QUALIFIER_WORDS.get(row["value_qualifier"])
    if words:
        assert any(w in row["source_passage"] for w in words), row["source_passage"]


def test_every_mappable_fact_is_a_row():
    """The article's figures, one by one (a checklist that fails if a row goes missing)."""
    figures = {
        ("deals", "value_usd"): {12.4e9, 8e9, 4.2e9, 15e9, 8.5e9, 1e9},
        ("trade", "value_usd"): {45e9, 129e9, 66.1e9, 31e9, 16.1e9, 66.2e9},
        ("resources", "quantity"): {20e6, 44e6, 90, 12},
    }
    for (table, column), expected in figures.items():
        assert expected <= set(TABLES[table][column].dropna()), (table, expected - set(TABLES[table][column]))
    assert {"2015", "2021", "2022", "2023", "2025-09", "2025-10", "2025-04", "2025-11-06"} <= set(TABLES.events["date"])


def test_region_level_figures_stay_on_the_region():
    assert set(TABLES.deals.loc[TABLES.deals.deal_id == "usa-c5-trade-deals-2025-h1", "country"]) == {"C5"}
    totals = TABLES.trade[TABLES.trade.measure == "total_trade"]
    assert set(totals["destination"]) == {"C5"}


def test_karagandy_is_a_region_level_point_at_the_regional_centre():
    deposit = TABLES.resources.set_index("resource_id").loc["kaz-karagandy-rare-earths"]
    centre = TABLES.places.set_index("place_id").loc["karagandy"]
    assert deposit["location_precision"] == "region"
    assert (deposit["lon"], deposit["lat"]) == (centre["lon"], centre["lat"])
    assert centre["role"] == "regional_centre"


def test_sources_carry_no_invented_url():
    article = TABLES.sources.set_index("source_id").loc["aljazeera-2025-c5plus1"]
    assert pd.isna(article["url"])
