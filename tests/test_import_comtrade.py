"""c5map import comtrade: portal CSV and comtradeapicall frames, their quirks, on SYNTHETIC samples."""

from __future__ import annotations

import pytest
from make_trade_samples import COMTRADE_ROWS, comtrade_frame, write_samples

from c5map.errors import DataError
from c5map.imports import import_trade


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return write_samples(tmp_path_factory.mktemp("samples"))


def values(result) -> dict[tuple[int, str, str], int]:
    t = result.trade
    return {
        (int(y), o, d): int(v)
        for y, o, d, v in zip(t["year"], t["origin"], t["destination"], t["value_usd"], strict=True)
    }


def reported(reporter: str, flow: str, partner: str, cmd: str, mot: int = 0) -> float:
    """The one sample row with these keys (the oracle is the sample itself)."""
    (value,) = [r[10] for r in COMTRADE_ROWS if (r[2], r[4], r[6], r[8], r[9]) == (reporter, flow, partner, cmd, mot)]
    return value


def test_the_exporters_report_counts_parents_not_children_totals_not_breakdowns(samples):
    result = import_trade("comtrade", [samples["comtrade_portal"]], between="KAZ", and_="CHN", hs="2846")
    # KAZ reports 2846 and its children 284610, 284690: the parent counts, its children are not added to it;
    # its re-exports (RX) are inside X already; CHN's X by sea and by road are inside its total row
    assert values(result) == {
        (2023, "KAZ", "CHN"): reported("KAZ", "X", "CHN", "2846"),
        (2023, "CHN", "KAZ"): reported("CHN", "X", "KAZ", "2846"),
    }
    notes = " ".join(result.notes)
    assert "RX (re-exports)" in notes and "X already includes them" in notes
    assert "breakdown rows" in notes


def test_children_count_when_their_parent_is_absent(samples):
    frame = comtrade_frame([r for r in COMTRADE_ROWS if not (r[2] == "KAZ" and r[4] == "X" and r[8] == "2846")])
    result = import_trade("comtrade", [frame], between="KAZ", and_="CHN", hs="2846")
    assert values(result)[(2023, "KAZ", "CHN")] == reported("KAZ", "X", "CHN", "284610") + reported(
        "KAZ", "X", "CHN", "284690"
    )


def test_the_importers_side_is_the_mirror(samples):
    result = import_trade(
        "comtrade", [samples["comtrade_portal"]], between="KAZ", and_="CHN", hs="2846", side="importer"
    )
    assert values(result) == {
        (2023, "KAZ", "CHN"): reported("CHN", "M", "KAZ", "2846"),  # China's imports from Kazakhstan
        (2023, "CHN", "KAZ"): reported("KAZ", "M", "CHN", "2846"),
    }
    assert "CIF" in result.trade["derivation"].iloc[0]


def test_a_frame_its_parquet_and_the_portal_csv_agree(samples):
    from_frame = import_trade("comtrade", [comtrade_frame(year_shift=1)], between="C5", hs="2846,280530")
    from_parquet = import_trade("comtrade", [samples["comtrade_parquet"]], between="C5", hs="2846,280530")
    from_portal = import_trade("comtrade", [samples["comtrade_portal"]], between="C5", hs="2846,280530")
    assert values(from_frame) == values(from_parquet)
    assert {(y - 1, o, d): v for (y, o, d), v in values(from_frame).items()} == values(from_portal)


def test_a_latin1_portal_download_is_read(samples):
    raw = samples["comtrade_portal"].read_bytes()
    assert "Côte d'Ivoire".encode("latin-1") in raw and b'"refYear"' in raw  # Latin-1, every field quoted
    result = import_trade("comtrade", [samples["comtrade_portal"]], between="CHN", and_="CIV", hs="2846")
    assert values(result) == {(2023, "CHN", "CIV"): reported("CHN", "X", "CIV", "2846")}


def test_world_is_reported_with_counts_never_guessed(samples):
    result = import_trade("comtrade", [samples["comtrade_portal"]], hs="2846")
    (world,) = [u for u in result.unmapped if u.code == "W00"]
    assert world.rows == sum(1 for r in COMTRADE_ROWS if r[6] == "W00" and r[4] == "X")
    assert "World" in str(world)


def test_cents_are_kept_until_the_dollar_rounding(samples):
    result = import_trade("comtrade", [samples["comtrade_portal"]], between="USA", and_="KAZ")
    assert values(result) == {(2023, "USA", "KAZ"): round(reported("USA", "X", "KAZ", "280530"))}
    assert "rounded to whole dollars" in result.trade["derivation"].iloc[0]


def test_monthly_data_and_bad_values_are_located(samples):
    frame = comtrade_frame()
    frame.loc[1, "freqCode"] = "M"
    frame.loc[3, "primaryValue"] = float("nan")
    frame["primaryValue"] = frame["primaryValue"].astype(object)
    frame.loc[4, "primaryValue"] = "n/a"
    with pytest.raises(DataError) as caught:
        import_trade("comtrade", [frame])
    where = {(p.line, p.column) for p in caught.value.problems}
    assert where == {(3, "freqCode"), (5, "primaryValue"), (6, "primaryValue")}  # frame row + 2: as in its CSV


def test_a_missing_column_is_named(samples, tmp_path):
    path = tmp_path / "TradeData.csv"
    comtrade_frame().drop(columns=["primaryValue"]).to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        import_trade("comtrade", [path], tmp_path / "out")
    assert [(p.line, p.column) for p in caught.value.problems] == [(1, "primaryValue")]
    assert not (tmp_path / "out").exists()


def test_the_same_report_in_two_files_is_refused(samples, tmp_path):
    copy = tmp_path / "again.csv"
    copy.write_bytes(samples["comtrade_portal"].read_bytes())
    with pytest.raises(DataError) as caught:
        import_trade("comtrade", [samples["comtrade_portal"], copy], hs="2846")
    assert any("give each report once" in p.message for p in caught.value.problems)
