"""QGIS styles of the export (issue #25 item 4): the web map's classes, colours, hatching and labels, in QML.

QGIS itself is not a test dependency: the QML is checked by its structure (renderer, rules, symbol layers,
labels) against the web's own scene, and ``layer_styles`` is read back with sqlite3 and GDAL. Loading every
style in QGIS's parser (python3-qgis, headless) is a manual check: see the module docstring of
:mod:`c5map.export.qgis_styles`.
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest

from c5map.boundaries import web_countries
from c5map.cli import main
from c5map.export import GPKG_TIMESTAMP, LAYER_NAMES, export_layers, geo_files
from c5map.export.qgis_styles import QML_MARK, qgis_styles
from c5map.format import format_usd
from c5map.maps.common import partner_palette_of
from c5map.maps.style import FILL_OPACITY, HATCH_COLOUR, INK, NO_FIGURE_EDGE, NO_FIGURE_FILL, class_labels
from c5map.scenes import NO_FIGURE_ENTRY
from c5map.scenes.influence import influence_scene, view_layer_name
from c5map.story import story_for
from c5map.tables import load_tables
from c5map.validate import load_inputs

TABLES = load_tables()
LAYERS = export_layers(TABLES)
STYLES = qgis_styles(TABLES, LAYERS)
#: The columns of ``layer_styles`` as QGIS writes them (its key ``id`` first).
QGIS_COLUMNS = ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]  # fmt: skip


def _rgba(colour: str, opacity: float = 1.0) -> str:
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5)) + f",{round(255 * opacity)}"


def _options(layer: ET.Element) -> dict[str, str]:
    return {o.get("name"): o.get("value") for o in layer.find("Option").findall("Option")}


def _rules(document: ET.Element) -> list[tuple[str, str, list[tuple[str, dict[str, str]]]]]:
    """(label, filter, [(symbol layer class, its options)]) of every rule of a rule-based renderer, in order."""
    renderer = document.find("renderer-v2")
    assert renderer.get("type") == "RuleRenderer"
    symbols = {s.get("name"): s for s in renderer.find("symbols").findall("symbol")}
    return [
        (rule.get("label"), rule.get("filter"),
         [(layer.get("class"), _options(layer)) for layer in symbols[rule.get("symbol")].findall("layer")])
        for rule in renderer.find("rules").findall("rule")
    ]  # fmt: skip


@pytest.fixture(scope="module", params=["bundled", "sahel-synthetic"])
def case(request):
    """(styles, influence scene as the web page builds it: the web's own member shapes) of a dataset.

    The Sahel has deals of undisclosed value (a dashed outline); the bundled data has none.
    """
    if request.param == "bundled":
        tables, styles = TABLES, STYLES
    else:
        tables, countries = load_inputs(Path(__file__).parent / "data" / request.param, None)
        styles = qgis_styles(tables, export_layers(tables, countries))
    story = story_for(tables)
    return styles, influence_scene(tables, story, web_countries(list(story.members)))


def test_the_gpkg_carries_a_layer_styles_table_as_qgis_writes_it(tmp_path):
    files = geo_files(LAYERS, STYLES)
    path = tmp_path / "c5map.gpkg"
    path.write_bytes(files["c5map.gpkg"])
    listed = dict(pyogrio.list_layers(path))
    assert set(LAYER_NAMES) <= set(listed) and listed["layer_styles"] is None  # GDAL reads it, an attribute table
    with sqlite3.connect(path) as db:
        assert [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")] == QGIS_COLUMNS
        geometry_columns = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleQML, useAsDefault, "
            "update_time FROM layer_styles ORDER BY id"
        ).fetchall()
    assert {row[2] for row in rows} == set(LAYER_NAMES)
    for catalog, schema, table, geometry, text, _, stamp in rows:
        # QGIS finds a layer's styles by f_table_schema = '' and its geometry column
        assert (catalog, schema, geometry) == ("", "", geometry_columns[table])
        assert text.startswith(f"{QML_MARK}{table} -->") and ET.fromstring(text.split("\n", 2)[2]).tag == "qgis"
        # fixed, so rebuilds are byte-identical; with milliseconds, as GeoPackage's DATETIME (GDAL 3.6 warns without)
        assert stamp == GPKG_TIMESTAMP
    assert sorted(row[2] for row in rows if row[5]) == sorted(
        LAYER_NAMES
    )  # one default each: QGIS opens the layer with it
    read_back = pyogrio.read_dataframe(path, layer="layer_styles")
    assert len(read_back) == sum(len(found) for found in STYLES.values())
    assert geo_files(LAYERS, STYLES) == files  # byte-identical twice, the styles too


def test_each_geojson_layer_gets_its_default_style_beside_it():
    files = geo_files(LAYERS, STYLES)
    for name in LAYER_NAMES:
        default = next(style for style in STYLES[name] if style.default)
        assert files[f"{name}.qml"].decode() == default.qml
    assert "layer_styles" in files["README.md"].decode()


def test_countries_styles_class_members_as_the_web_scene_does(case):
    """One style per view, the web's class of each member in the web's colour, in the legend's words."""
    styles, scene = case
    countries = styles["countries"]
    by_name = {style.name: style for style in countries}
    assert [s.name for s in countries if s.default] == [view_layer_name(scene.views[scene.opening])]
    labels = class_labels(list(scene.breaks), format_usd)
    undisclosed = set()
    for view in scene.views:
        rules = _rules(ET.fromstring(by_name[view_layer_name(view)].qml.split("\n", 2)[2]))
        shades = view.shades(scene.breaks)
        named = {}
        for label, expression, layers in rules:
            codes = re.findall(r"'([A-Z0-9]+)'", expression) if expression.startswith('"iso3" IN') else []
            assert expression.startswith('"iso3" IN') or expression in ("FALSE", "ELSE")
            named |= dict.fromkeys(codes, (label, layers))
        figures = view.figures.set_index("iso3")
        assert sorted(named) == sorted(figures.index)  # every member in exactly one rule
        drawn = {int(k) for k in figures.loc[figures["has_figure"], "value_class"]}
        if drawn:  # the whole scale in the legend, as the web's
            assert [label for label, _, _ in rules[: len(labels)]] == labels
        for iso3, row in figures.iterrows():
            label, layers = named[iso3]
            kinds = [kind for kind, _ in layers]
            if row["has_figure"]:
                assert label == labels[int(row["value_class"])]
                assert layers[0][1]["color"] == _rgba(shades[int(row["value_class"])], FILL_OPACITY)
                assert layers[1][1]["line_color"] == _rgba(INK)
            elif row["has_deal"]:  # the web's pale fill and dashed edge of the partner's colour
                undisclosed.add(view.name)
                assert layers[0][1]["color"].rsplit(",", 1)[0] == _rgba(view.undisclosed_fill).rsplit(",", 1)[0]
                assert layers[1][1]["line_color"] == _rgba(view.colour) and layers[1][1]["use_custom_dash"] == "1"
            else:  # "no reported figure": the web's hatch, never a class
                assert label == NO_FIGURE_ENTRY.label
                assert kinds == ["SimpleFill", "LinePatternFill", "SimpleLine"]
                assert layers[0][1]["color"] == _rgba(NO_FIGURE_FILL)
                assert layers[1][1]["color"] == _rgba(HATCH_COLOUR) and layers[1][1]["angle"] == "45"
                assert layers[2][1]["line_color"] == _rgba(NO_FIGURE_EDGE)
        assert rules[-1][1] == "ELSE"  # partners and counterparts: outlined, not classed
    assert bool(undisclosed) == any((v.figures["has_deal"] & ~v.figures["has_figure"]).any() for v in scene.views)


def test_countries_are_labelled_with_the_web_figures(case):
    styles, scene = case
    for view in scene.views:
        style = next(s for s in styles["countries"] if s.name == view_layer_name(view))
        document = ET.fromstring(style.qml.split("\n", 2)[2])
        assert document.get("labelsEnabled") == "1"
        text = document.find("labeling/settings/text-style")
        assert text.get("isExpression") == "1" and text.get("textColor") == _rgba(INK)
        for iso3, words in view.map_figures().items():
            assert f"\"iso3\" = '{iso3}' THEN " in text.get("fieldName")
            assert f"'{words.replace(chr(39), chr(39) * 2)}'" in text.get("fieldName")


def test_flows_are_coloured_by_origin_in_the_pages_palette():
    renderer = ET.fromstring(STYLES["flows"][0].qml.split("\n", 2)[2]).find("renderer-v2")
    assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", "origin")
    palette = partner_palette_of(TABLES)
    symbols = {s.get("name"): s for s in renderer.find("symbols").findall("symbol")}
    categories = renderer.find("categories").findall("category")
    assert sorted(c.get("value") for c in categories) == sorted(set(LAYERS["flows"].frame["origin"]))
    for category in categories:
        line = symbols[category.get("symbol")].find("layer")
        assert line.get("class") == "SimpleLine"
        assert _options(line)["line_color"] == _rgba(palette.get(category.get("value"), INK))


@pytest.mark.parametrize("name", ["regions", "resources", "events"])
def test_the_other_layers_have_a_web_style(name):
    rules = _rules(ET.fromstring(STYLES[name][0].qml.split("\n", 2)[2]))
    assert len(rules) == 1 and rules[0][1] == "TRUE"
    kinds = [kind for kind, _ in rules[0][2]]
    assert kinds == (["SimpleFill", "SimpleLine"] if name == "regions" else ["SimpleMarker"])


def test_export_writes_and_lists_every_style(tmp_path, capsys):
    """Through the CLI: a .qml beside each GeoJSON layer, named after it and listed; styles in the GeoPackage."""
    folder = tmp_path / "geo"
    assert main(["export", "--out", str(folder)]) == 0
    err = capsys.readouterr().err
    for name in LAYER_NAMES:
        assert f"wrote {folder / f'{name}.qml'}" in err.splitlines()
        assert (folder / f"{name}.qml").read_text().startswith(f"{QML_MARK}{name} -->")
    assert main(["export", "--out", str(folder)]) == 0  # again: its own styles are recognised and replaced
    gpkg = tmp_path / "sahel.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(gpkg)]) == 0
    with sqlite3.connect(gpkg) as db:
        assert {row[0] for row in db.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")} == set(
            LAYER_NAMES
        )
