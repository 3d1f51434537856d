"""geo/'s CSV and GeoJSON writers (Arrow, a column at once) write what pandas and json.dumps write, byte for byte.

The writers of c5map.export.formats make a million-row table's text a column at a time, and :data:`_CHUNK_ROWS`
rows at a time. Their promise is the text of the plain ways: ``DataFrame.to_csv(index=False, lineterminator="\\n")``
and ``json.dumps`` of each feature. Hypothesis draws awkward tables (quotes, commas, line ends, control characters,
formula starts, NaN, ±inf, -0.0, missing values, one row or many) and compares, with chunks of 3 rows so that
chunk edges are crossed.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.geometry
from hypothesis import given, settings
from hypothesis import strategies as st

from c5map.export import formats
from c5map.export.model import ExportField, ExportLayer, ExportTable
from c5map.spreadsheet import spreadsheet_safe_column

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\",\n\r\t=+-@'; "), max_size=12
)
NUMBER = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1e16, 123.0, 0.1, math.nan])
KINDS = {"string": st.none() | TEXT, "number": NUMBER, "integer": st.none() | st.integers(-(2**53), 2**53),
         "boolean": st.none() | st.booleans()}  # fmt: skip
DTYPES = {"string": "string[pyarrow]", "number": "float64", "integer": "Int64", "boolean": "boolean"}


@st.composite
def tables(draw) -> tuple[list[ExportField], pd.DataFrame]:
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=5))
    rows = draw(st.integers(0, 8))
    fields = [ExportField(f"c{i}_{kind}", kind, "") for i, kind in enumerate(kinds)]
    columns = {
        f.name: pd.array(draw(st.lists(KINDS[f.type], min_size=rows, max_size=rows)), dtype=DTYPES[f.type])
        for f in fields
    }
    return fields, pd.DataFrame(columns)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(formats, "_CHUNK_ROWS", 3)


@settings(max_examples=300)
@given(tables())
def test_csv_is_what_pandas_writes(drawn):
    fields, frame = drawn
    table = ExportTable("t", "", frame, fields, fields[0].name)
    expected = formats._typed(frame, fields)
    for f in fields:
        if f.type == "string":
            expected[f.name] = spreadsheet_safe_column(expected[f.name])
    plain = expected.to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert formats.table_csv_bytes(table) == plain
    if len(fields) > 1:  # Arrow's way writes it (pandas writes a one-column table: csv quotes its empty rows)
        assert formats._csv_bytes(expected) == plain


def _none(value):
    return None if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value


@settings(max_examples=300)
@given(tables(), st.lists(st.none() | st.tuples(st.floats(-179, 179), st.floats(-89, 89)), min_size=8, max_size=8))
def test_geojson_is_what_json_dumps_writes(drawn, points):
    fields, frame = drawn
    geometry = [shapely.Point(p) if p else None for p in points[: len(frame)]]
    ids = [f'id-{i}",' for i in range(len(frame))]  # text ids that need escaping
    layer = ExportLayer("l", "", gpd.GeoDataFrame({"id": pd.array(ids, dtype="string"), **frame}, geometry=geometry,
                                                  crs=4326), fields)  # fmt: skip
    typed = formats._typed(frame, fields)
    shapes = formats.rfc7946_geometries(np.array(geometry, dtype=object))  # coordinates rounded as exported
    lines = []
    for i in range(len(frame)):
        shape = shapes[i]
        feature = {"type": "Feature", "id": ids[i],
                   "geometry": shapely.geometry.mapping(shape) if shape is not None else None,
                   "properties": {f.name: _none(typed[f.name].astype(object).iloc[i]) for f in fields}}  # fmt: skip
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = formats.geojson_bytes(layer).decode("utf-8")
    head, body = text.split("\n", 1)
    assert json.loads(head + "]}")["name"] == "l" and body.endswith("\n]}\n")
    assert body[: -len("\n]}\n")] == ",\n".join(lines)  # a feature a line, a comma after each but the last
    assert len(json.loads(text)["features"]) == len(frame)  # and the whole is JSON, as GDAL will read it


def test_the_property_tests_cross_chunk_edges():
    assert formats._CHUNK_ROWS == 3 and np.iinfo(np.int64).max > 2**53
