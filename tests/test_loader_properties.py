"""Property-based tests of the CSV loader: any text in, located problems or typed rows out, never a crash."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from c5map.schema import DATE_YEARS, table_schemas
from c5map.tables import parse_partial_date, read_table

DEALS = table_schemas()["deals"]
cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def _write(tmp_path, rows: list[list[str]], name: str = "deals.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # "\r\n" records: cells holding \r or \n get quoted
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    # lines as an editor counts them: \r, \n and \r\n all end one (a lone \r inside a quoted cell too)
    return path, len(io.StringIO(buffer.getvalue(), newline="").readlines())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_text, min_size=len(DEALS.fields), max_size=len(DEALS.fields)), max_size=6))
def test_any_cells_give_rows_or_located_problems(tmp_path, body):
    path, n_lines = _write(tmp_path, [DEALS.column_names, *body])
    frame, problems = read_table(path, DEALS)
    assert list(frame.columns) == DEALS.column_names
    for problem in problems:
        assert 0 <= problem.line <= max(n_lines, 1)
        assert problem.column in DEALS.column_names or problem.column == ""
    assert frame.index.is_monotonic_increasing and len(frame) <= len(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_any_bytes_never_crash(tmp_path, data):
    path = tmp_path / "deals.csv"
    path.write_bytes(data)
    frame, problems = read_table(path, DEALS)
    assert list(frame.columns) == DEALS.column_names
    assert all(p.line >= 0 for p in problems)


# Valid cells hold no control characters (a NUL byte makes the loader call the file binary, on purpose; the
# others are located errors) and no unbalanced direction controls (U+202A-U+202E, U+2066-U+2069).
_DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_valid_text = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_DIRECTION_CONTROLS)
_valid_word = st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters=_DIRECTION_CONTROLS)

valid_deal = st.fixed_dictionaries({
    "deal_id": st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    "date": st.dates(dt.date(DATE_YEARS[0], 1, 1), dt.date(DATE_YEARS[1], 12, 31)).map(lambda d: d.isoformat()),
    "partner": st.sampled_from(["USA", "CHN", "RUS"]),
    "country": st.sampled_from(["KAZ", "KGZ", "TJK", "TKM", "UZB", "C5"]),
    "value_usd": st.floats(min_value=0, max_value=1e14, allow_nan=False),
    "value_qualifier": st.sampled_from(["exact", "about", "nearly", "over", "under"]),
    "value_basis": st.sampled_from(["agreements", "pipeline", "investment", "financing"]),
    "sector": st.text(_valid_word, min_size=1, max_size=12),
    "description": st.text(_valid_text, max_size=30).map(str.strip),
    "source_id": st.just("aljazeera-2025-c5plus1"),
    "source_passage": st.text(_valid_word, min_size=1, max_size=40),
})  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(valid_deal, min_size=1, max_size=5, unique_by=lambda d: d["deal_id"]))
def test_valid_rows_round_trip(tmp_path, deals):
    rows = [DEALS.column_names] + [
        [repr(d[c]) if c == "value_usd" else str(d.get(c, "")) for c in DEALS.column_names] for d in deals
    ]
    path, _ = _write(tmp_path, rows)
    frame, problems = read_table(path, DEALS)
    assert problems == []
    assert len(frame) == len(deals)
    for (_, row), deal in zip(frame.iterrows(), deals, strict=True):
        assert row["deal_id"] == deal["deal_id"] and row["date"] == deal["date"]
        assert math.isclose(row["value_usd"], deal["value_usd"], rel_tol=0, abs_tol=0)
        assert parse_partial_date(row["date"]) is not None
