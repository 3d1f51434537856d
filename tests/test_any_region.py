"""Any region, any partners: datasets unlike the bundled one build into pages that are true about them.

Parametrised over the bundled data and the synthetic datasets (``examples/``, ``tests/data/``): every page,
the atlas, the images and the exports are about the dataset's own region and say nothing its tables do not.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import folium
import pyogrio
import pytest
import truth
from builds import shared_build
from conftest import expected_flow_ids, expected_flow_pairs

from c5map.build import MANIFEST, build
from c5map.cli import main
from c5map.errors import DataError
from c5map.maps import MAPS, influence_map
from c5map.maps.common import date_words
from c5map.maps.safety import escape_text
from c5map.story import choose_region, story_for
from c5map.tables import load_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
    "sahel-synthetic": REPO / "tests" / "data" / "sahel-synthetic",
    "pacific-synthetic": REPO / "tests" / "data" / "pacific-synthetic",
}
#: Words of the bundled story that no other dataset's pages may carry (country names may: every page labels
#: the countries around its region).
STORY_WORDS = ("Central Asia", "Karagandy", "C5+1", "rare-earth")


@pytest.fixture(scope="module", params=list(DATASETS))
def built(request, tmp_path_factory):
    """(dataset name, tables, OUT) for a full build with images of each dataset."""
    data = DATASETS[request.param]
    return request.param, load_tables(data), shared_build(tmp_path_factory, data, tiles="none")


def _page_texts(html: str) -> str:
    """Every string a reader can meet on a page: HTML text, tooltips and legends, JSON escapes decoded."""
    return truth.page_text(html)


def test_every_page_is_about_the_datasets_region(built):
    name, tables, out = built
    story = story_for(tables)
    for page in [*MAPS, "index.html"]:
        html = (out / "maps" / page).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        given = story.maps.get(page.removesuffix(".html"), {}).get("title")  # the story file's own title wins
        assert story.region_name.replace("&", "&amp;") in title or (page == "index.html" and story.title) or (
            given and given.replace("&", "&amp;") in title), (page, title)  # fmt: skip
        assert '<html lang="en">' in html
        if name != "bundled":
            text = _page_texts(html)
            for word in STORY_WORDS:
                assert word not in text, (page, word)
    regions = pyogrio.read_dataframe(out / "geo" / "regions.geojson")
    assert list(regions["region"]) == [story.region]


def test_story_file_overrides_the_derived_text(built):
    name, _, out = built
    atlas = (out / "maps" / "index.html").read_text(encoding="utf-8")
    if name == "gulf-east-africa":
        assert "<title>Who is courting East Africa? (synthetic example)</title>" in atlas
        assert "c5map synthetic example" in atlas  # the byline
    elif name == "south-caucasus":  # derived; its story file only names the region in a sentence
        assert "<title>Who is courting the South Caucasus</title>" in atlas


@pytest.mark.parametrize("page", list(MAPS))
def test_pages_open_on_their_region(chromium, built, page):
    name, tables, out = built
    story = story_for(tables)
    visit = chromium.open(out / "maps" / page, width=1400, height=900)
    assert visit.page_errors == []
    view = visit.page.evaluate(
        "(() => { const m = Object.values(window).find(v => v instanceof L.Map); const b = m.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    from c5map.boundaries import load_countries
    from c5map.maps.common import region_view

    west, south, east, north = region_view(load_countries("10m"), story.members, pad=0)
    # the region's frame lies within the opening view, give or take a degree of rounding at this zoom
    assert view[0] <= west + 1 and view[2] >= east - 1 and view[1] <= south + 1 and view[3] >= north - 1, (page, view)
    visit.page.close()


def test_a_partner_with_a_deal_never_reads_no_reported_figure(built):
    """Every (partner, member) pair with a deal: its tooltip on the partner's layer lists the deal."""
    _, tables, out = built
    html = (out / "maps" / "influence.html").read_text(encoding="utf-8")
    from c5map.maps.common import display_names

    names = display_names(tables)
    calls = r"c5mapShapeLayer\([^,]+, [^,]+, \{.*?\}, (\{.*?\})(?:,\s*\"[\w-]*\")?\);"  # pane, if any, last
    tips = [json.loads(m) for m in re.findall(calls, html)]
    members = set(story_for(tables).members)
    deals = tables.deals[tables.deals["country"].isin(members)]
    for (partner, member), rows in deals.groupby(["partner", "country"]):
        region_name = story_for(tables).region_words  # a member's deals in its own region are "within" it
        label = f"Deals within {region_name}" if partner in members else f"Deals with {names.get(partner, partner)}"
        found = [t[member] for t in tips if member in t and escape_text(label) in t[member]]
        assert found, (partner, member)
        assert "reports no deal here" not in found[0], (partner, member)
        for deal_id in rows["deal_id"]:
            date = tables.deals.set_index("deal_id").loc[deal_id, "date"]
            assert date_words(date) in found[0], (deal_id, found[0])  # written for people: "September 2025"


def test_images_and_exports_are_written(built):
    _, tables, out = built
    for still in ("png/influence.png", "png/trade.png", "png/resources.png", "png/timeline.png"):
        assert (out / "maps" / still).stat().st_size > 10_000
    flows = pyogrio.read_dataframe(out / "geo" / "flows.geojson")
    figures = pyogrio.read_dataframe(out / "geo" / "c5map.gpkg", layer="flow_figures")
    # every deal or trade figure between two different countries with known capitals is a flow, and no other;
    # each pair of countries is one line, its figures rows of flow_figures
    assert sorted(zip(figures["kind"], figures["figure_id"], strict=True)) == expected_flow_ids(tables)
    assert sorted(flows["pair_id"]) == sorted(expected_flow_pairs(tables))


def test_region_must_be_in_the_data_and_is_named_when_several(tmp_path):
    data = tmp_path / "two"
    shutil.copytree(DATASETS["south-caucasus"], data)
    with (data / "regions.csv").open("a", encoding="utf-8") as regions:
        regions.write("CAU,Caucasus,RUS\n")
    tables = load_tables(data)
    with pytest.raises(DataError) as several:
        choose_region(tables)
    assert "2 regions (CAU (Caucasus), SCAU (South Caucasus)): choose one with --region CODE" in str(several.value)
    with pytest.raises(DataError) as unknown:
        choose_region(tables, "scau")
    assert "no region 'scau' in the data; did you mean 'SCAU'?" in str(unknown.value)
    assert choose_region(tables, "SCAU") == "SCAU"
    assert main(["build", "--data", str(data), "--out", str(tmp_path / "out"), "--no-images"]) == 2
    assert not (tmp_path / "out").exists()
    assert main(["build", "--data", str(data), "--region", "SCAU", "--out", str(tmp_path / "out"), "--no-images"]) == 0
    assert "South Caucasus" in (tmp_path / "out" / "maps" / "influence.html").read_text(encoding="utf-8")


def test_story_file_problems_are_located(tmp_path, capsys):
    data = tmp_path / "mine"
    shutil.copytree(DATASETS["south-caucasus"], data)
    (data / "story.toml").write_text('title = "Mine"\nsubtitel = "typo"\n\n[maps.influence]\ntitle = 3\n')
    assert main(["validate", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "story.toml:2: subtitel: unknown key" in err
    assert "story.toml:5: maps.influence.title: expected title, subtitle or print_subtitle, as text" in err
    (data / "story.toml").write_text('title = "unterminated\n')
    assert main(["validate", "--data", str(data)]) == 2
    assert "story.toml:1: not valid TOML" in capsys.readouterr().err


def test_story_text_follows_the_rules_of_the_tables_text(tmp_path, capsys):
    data = tmp_path / "mine"
    shutil.copytree(DATASETS["south-caucasus"], data)
    story = (
        'title = "Mine \\u001b[8m hidden"\n'  # TOML's escape for ESC: valid TOML, a terminal escape in the text
        'byline = "Desk \u202e reversed"\n'  # an unclosed right-to-left override
        f'notes = "{"x" * 5_001}"\n'
        '\n[maps.trade]\nsubtitle = "bell \\u0007"\n'
    )
    (data / "story.toml").write_text(story, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["validate", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    # the words of the tables' own free-text checks (tables.free_text_problem)
    assert "story.toml:1: title: holds the control character U+001B (ESC) at character 6" in err
    assert "story.toml:2: byline: U+202E (RIGHT-TO-LEFT OVERRIDE) at character 6 is never closed" in err
    assert "story.toml:3: notes: is 5,001 characters long; the limit is 5,000" in err
    assert "story.toml:6: maps.trade.subtitle: holds the control character U+0007 (BEL)" in err
    assert "\x1b" not in err and "\x07" not in err  # the terminal never gets the raw character
    assert main(["build", "--data", str(data), "--out", str(out), "--no-images"]) == 2
    assert not out.exists()


def test_rebuild_keeps_files_c5map_did_not_write(tmp_path):
    data = DATASETS["south-caucasus"]
    out = tmp_path / "out"
    build(data, out, tiles="none", images=False, progress=lambda line: None)
    (out / "maps" / "notes.txt").write_text("my notes")
    (out / "geo" / "qgis").mkdir()
    (out / "geo" / "qgis" / "project.qgz").write_bytes(b"PK\x03\x04 a QGIS project")
    manifest = (out / "maps" / MANIFEST).read_text().splitlines()
    assert "influence.html" in manifest and "notes.txt" not in manifest
    build(data, out, tiles="none", images=True, progress=lambda line: None)  # a different set of files
    assert (out / "maps" / "notes.txt").read_text() == "my notes"
    assert (out / "geo" / "qgis" / "project.qgz").read_bytes() == b"PK\x03\x04 a QGIS project"
    assert (out / "maps" / "png" / "influence.png").is_file()
    build(data, out, tiles="none", images=False, progress=lambda line: None)
    assert not (out / "maps" / "png").exists()  # c5map's own images of the last build are c5map's to remove
    assert (out / "maps" / "notes.txt").read_text() == "my notes"


def test_rebuild_refuses_to_overwrite_a_file_it_did_not_write(tmp_path):
    data = DATASETS["south-caucasus"]
    out = tmp_path / "out"
    build(data, out, tiles="none", images=False, progress=lambda line: None)
    (out / "maps" / "png").mkdir()
    (out / "maps" / "png" / "influence.png").write_bytes(b"my own picture")
    with pytest.raises(DataError) as refused:
        build(data, out, tiles="none", images=True, progress=lambda line: None)
    assert "influence.png: exists and was not written by c5map" in str(refused.value)
    assert (out / "maps" / "png" / "influence.png").read_bytes() == b"my own picture"


def test_returned_maps_are_ordinary_folium_maps(chromium, tmp_path):
    """A folium user's Icon marker (awesome-markers, Bootstrap, Font Awesome) works on a map c5map returns."""
    m = influence_map(load_tables(), tiles="none")
    folium.Marker([41.3, 69.2], tooltip="Tashkent", icon=folium.Icon(color="red", icon="info-sign")).add_to(m)
    page = tmp_path / "mine.html"
    m.save(str(page))
    visit = chromium.open(page)
    assert visit.page_errors == []
    assert visit.page.evaluate("typeof L.AwesomeMarkers") == "object"
    assert visit.page.locator(".awesome-marker-icon-red").count() == 1
    visit.page.close()
