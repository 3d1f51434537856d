"""c5map import baci: the exact layout and its quirks, on SYNTHETIC samples (tests/make_trade_samples.py)."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from make_trade_samples import BACI_COUNTRIES, BACI_ROWS, write_samples

from c5map.errors import DataError
from c5map.imports import import_trade
from c5map.validate import load_valid_tables

C5 = {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
ISO = {code: iso for code, _, _, iso in BACI_COUNTRIES}


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Path]:
    return write_samples(tmp_path_factory.mktemp("samples"))


def expected_usd(origin: set[str], destination: set[str], prefixes: tuple[str, ...], year: int) -> int:
    """The oracle: the sample's own rows, summed by hand, thousands to dollars."""
    total = sum(
        (
            Decimal(v)
            for t, i, j, k, v, _ in BACI_ROWS[year]
            if ISO[i] in origin and ISO[j] in destination and k.startswith(prefixes)
        ),
        Decimal(0),
    )
    return int(total * 1000)


def values(result) -> dict[tuple[int, str, str], int]:
    t = result.trade
    return {
        (int(y), o, d): int(v)
        for y, o, d, v in zip(t["year"], t["origin"], t["destination"], t["value_usd"], strict=True)
    }


def test_thousands_of_dollars_become_dollars_and_sums_match_the_rows(samples):
    result = import_trade("baci", [samples["baci_2023"].parent], between="C5", and_="CHN,USA,RUS", hs="2846,280530")
    got = values(result)
    assert got  # the sample has C5 rare-earth trade with all three
    for (year, origin, destination), value in got.items():
        members = {"C5": C5}
        assert value == expected_usd(
            members.get(origin, {origin}), members.get(destination, {destination}), ("2846", "280530"), year
        )
    assert got[(2023, "C5", "CHN")] == 855_500  # 850.000 + 5.500 thousand: KAZ and KGZ, both C5 members


def test_quoted_fields_and_codes_with_leading_zeros(samples):
    # the 2022 file quotes every field and writes Afghanistan as "004"
    assert samples["baci_2022"].read_text().splitlines()[1].startswith('"2022","004"')
    result = import_trade("baci", [samples["baci_2022"], samples["baci_codes"]], between="AFG", and_="KAZ")
    assert values(result) == {(2022, "AFG", "KAZ"): expected_usd({"AFG"}, {"KAZ"}, ("",), 2022)}


def test_missing_quantities_are_read_and_do_not_matter(samples):
    # q is "NA" in 2022 and empty in 2023 for these rows; the value still counts
    result = import_trade("baci", [samples["baci_2023"].parent], between="CHN", and_="UZB", hs="284690")
    assert values(result) == {(2023, "CHN", "UZB"): 300_250}


def test_a_product_code_that_lost_its_leading_zero_still_matches(samples):
    assert ",10121," in samples["baci_2023"].read_text()
    result = import_trade("baci", [samples["baci_2023"].parent], between="CHN", and_="KAZ", hs="0101", years="2023")
    assert values(result) == {(2023, "CHN", "KAZ"): 99_000}


def test_a_zipped_release_gives_what_its_folder_gives(samples):
    assert "BACI_HS92_Y2023_V202501.csv" in zipfile.ZipFile(samples["baci_zip"]).namelist()
    from_zip = import_trade("baci", [samples["baci_zip"]], between="C5", hs="2846,280530")
    from_folder = import_trade("baci", [samples["baci_2023"].parent], between="C5", hs="2846,280530")
    pd.testing.assert_frame_equal(from_zip.trade, from_folder.trade)
    assert "BACI_HS92_V202501.zip/BACI_HS92_Y2023_V202501.csv" not in from_zip.trade["derivation"].iloc[0]


def test_a_folder_of_years_and_a_choice_of_years(samples):
    folder = samples["baci_2023"].parent
    every = import_trade("baci", [folder], between="C5", and_="CHN", hs="2846,280530")
    assert sorted(set(every.trade["year"].astype(int))) == [2022, 2023]
    one = import_trade("baci", [folder], between="C5", and_="CHN", hs="2846,280530", years="2023")
    assert sorted(set(one.trade["year"].astype(int))) == [2023]


def test_total_trade_adds_both_directions(samples):
    result = import_trade(
        "baci", [samples["baci_zip"]], between="C5", and_="CHN", hs="2846,280530", measure="total_trade", years="2023"
    )
    both = expected_usd(C5, {"CHN"}, ("2846", "280530"), 2023) + expected_usd({"CHN"}, C5, ("2846", "280530"), 2023)
    assert values(result) == {(2023, "C5", "CHN"): both}
    assert set(result.trade["measure"]) == {"total_trade"}


def test_codes_with_no_country_are_reported_with_counts_never_guessed(samples):
    result = import_trade("baci", [samples["baci_zip"]], hs="2846,280530")
    reported = {(u.code, u.rows) for u in result.unmapped}
    count = {
        code: sum(1 for y in BACI_ROWS for r in BACI_ROWS[y] if r[1] == code and r[3].startswith(("2846", "280530")))
        for code in (58, 490)
    }
    assert reported == {("58", count[58]), ("490", count[490])}
    assert not {"S19", "BLX"} & (set(result.trade["origin"]) | set(result.trade["destination"]))
    assert "Other Asia, nes" in " ".join(map(str, result.unmapped))


def test_every_row_carries_its_provenance_and_the_folder_validates(samples, data_copy):
    result = import_trade("baci", [samples["baci_zip"]], data_copy, between="C5", and_="CHN,USA,RUS", hs="2846,280530")
    for derivation in result.trade["derivation"]:
        for part in (
            "BACI",
            "version 202501",
            "files: BACI_HS92_Y202",
            "products: HS 280530, 2846*",
            "C5 (KAZ+KGZ+TJK+TKM+UZB)",
            "sum of ",
            "thousands of US dollars",
            "multiplied by 1,000",
        ):
            assert part in derivation
    assert (result.trade["source_passage"] == "").all()
    tables = load_valid_tables(data_copy)  # raises with every problem
    imported = tables.trade[tables.trade["source_id"] == result.source["source_id"]]
    assert len(imported) == len(result.trade)
    assert result.source["source_id"] in set(tables.sources["source_id"])
    assert len(tables.trade) == len(imported) + 6  # the article's six figures are kept


def test_the_same_import_twice_gives_the_same_bytes_and_no_duplicates(samples, data_copy, tmp_path):
    import_trade("baci", [samples["baci_zip"]], data_copy, between="C5", hs="2846,280530")
    first = (data_copy / "trade.csv").read_bytes(), (data_copy / "sources.csv").read_bytes()
    import_trade("baci", [samples["baci_zip"]], data_copy, between="C5", hs="2846,280530", threads=1)
    assert ((data_copy / "trade.csv").read_bytes(), (data_copy / "sources.csv").read_bytes()) == first


def test_regions_csv_is_written_for_the_regions_used(samples, tmp_path):
    out = tmp_path / "fresh"
    result = import_trade("baci", [samples["baci_zip"]], out, between="C5", and_="CHN")
    regions = pd.read_csv(out / "regions.csv")
    assert sorted(regions["member"]) == sorted(C5) and set(regions["region"]) == {"C5"}
    assert result.still_needed == ["deals"]


def test_a_bad_row_is_located_and_nothing_is_written(samples, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(samples["baci_2023"].parent, folder)
    year = folder / "BACI_HS92_Y2023_V202501.csv"
    lines = year.read_text().splitlines()
    lines[2] = "2023,156,860,284690,lots,"
    lines[4] = "2023,156,860,28469X,1.5,"  # HS codes are digits (k is read when products are chosen)
    year.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    with pytest.raises(DataError) as caught:
        import_trade("baci", [folder], out, hs="2846")
    value, product = caught.value.problems  # one run reports both
    assert (value.file.endswith("BACI_HS92_Y2023_V202501.csv"), value.line, value.column) == (True, 3, "v")
    assert "'lots'" in value.message
    assert (product.line, product.column) == (5, "k") and "'28469X'" in product.message
    assert not out.exists()


def test_a_wrong_header_and_a_missing_codes_file_are_both_reported(samples, tmp_path):
    bad = tmp_path / "BACI_HS92_Y2023_V202501.csv"
    bad.write_text("year,exporter,importer,product,value\n2023,4,398,280530,1\n")
    with pytest.raises(DataError) as caught:
        import_trade("baci", [bad])
    messages = [str(p) for p in caught.value.problems]
    assert any(":1: header is" in m for m in messages)
    assert any("country_codes_V*.csv" in m for m in messages)


def test_parquet_gives_what_csv_gives(samples, tmp_path):
    import duckdb

    folder = tmp_path / "parquet"
    folder.mkdir()
    for year in BACI_ROWS:
        source = samples[f"baci_{year}"]
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{source}', all_varchar = true)) TO "
            f"'{folder / source.name.replace('.csv', '.parquet')}' (FORMAT PARQUET)"
        )
    shutil.copy(samples["baci_codes"], folder)
    from_parquet = import_trade("baci", [folder], between="C5", hs="2846,280530")
    from_csv = import_trade("baci", [samples["baci_2023"].parent], between="C5", hs="2846,280530")
    assert values(from_parquet) == values(from_csv)


def test_a_region_of_the_folder_adds_up_over_its_own_members(samples, tmp_path):
    (tmp_path / "regions.csv").write_text("region,region_name,member\nCA2,Two states,KAZ\nCA2,Two states,UZB\n")
    result = import_trade("baci", [samples["baci_zip"]], tmp_path, between="CA2", and_="CHN", hs="2846,280530")
    assert values(result)[(2023, "CHN", "CA2")] == expected_usd({"CHN"}, {"KAZ", "UZB"}, ("2846", "280530"), 2023)
    assert (tmp_path / "regions.csv").read_text().count("CA2") == 2  # the user's regions.csv is left as it was
    with pytest.raises(DataError, match="'C5' is not a known country or region code"):
        import_trade("baci", [samples["baci_zip"]], tmp_path, between="C5")


def test_the_same_query_runs_over_partitioned_parquet(samples, tmp_path):
    import duckdb

    folder = tmp_path / "partitioned"
    years = ", ".join(f"'{samples[f'baci_{y}']}'" for y in BACI_ROWS)
    # one folder per year (t=2022/, t=2023/), the year in the path only, as DuckDB and Spark write them
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv([{years}], all_varchar = true)) TO '{folder}' (FORMAT PARQUET, PARTITION_BY (t))"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["t=2022", "t=2023"]
    shutil.copy(samples["baci_codes"], folder)
    from_parquet = import_trade("baci", [folder], between="C5", hs="2846,280530")
    from_csv = import_trade("baci", [samples["baci_2023"].parent], between="C5", hs="2846,280530")
    assert values(from_parquet) == values(from_csv)


def test_past_the_readers_reject_limit_the_count_of_bad_rows_is_said_to_be_a_lower_bound(samples, tmp_path):
    """Issue 24 row 18: 'and 950 more bad rows' when there were 99,950 more (DuckDB keeps 1,000 rejects)."""
    from c5map.imports.engine import REJECTS_LIMIT

    folder = tmp_path / "bad"
    shutil.copytree(samples["baci_2023"].parent, folder)
    year = folder / "BACI_HS92_Y2023_V202501.csv"
    lines = year.read_text().splitlines()
    lines += ["2023,156,860,284690,lots,"] * (2 * REJECTS_LIMIT)
    year.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        import_trade("baci", [folder], tmp_path / "out", hs="2846")
    counted = [p.message for p in caught.value.problems if "more bad rows" in p.message]
    assert len(counted) == 1 and counted[0].startswith("and at least "), counted
    assert f"counting stops at {REJECTS_LIMIT:,}" in counted[0]
