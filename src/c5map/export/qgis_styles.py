"""QGIS styles of the export layers: the web map's classes, colours, hatching and labels, as QML.

QGIS opens a layer of ``c5map.gpkg`` with the style the GeoPackage's
``layer_styles`` table marks as its default, and a GeoJSON file with the
``.qml`` file of the same name beside it. :func:`qgis_styles` writes both
from the same decisions as the web map: it calls the influence scene
(:func:`c5map.scenes.influence.influence_scene`) for each partner's view,
classes and legend words, :func:`c5map.maps.common.partner_palette_of` for the
partners' colours, and the constants of :mod:`c5map.maps.style` for "no
reported figure" (hatched, never a class) and the ink. Nothing is classed here.

``countries`` gets one style per view of the influence page ("China: deals"),
the view the page opens on as the default; the others are a click away in
QGIS (Layer Properties → Style → Load from database). Each class is a rule
naming the countries the scene put in it, because the scene's class of a
country is true to its qualifier ("less than $1bn" is never in the "$1bn to
$2bn" class) and to its largest figure of one kind, which no single column holds.

A QML file starts with :data:`QML_MARK` and its layer's name, so that
``c5map export`` recognises the sidecars it wrote (:func:`qml_is_for`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pandas as pd

from c5map.export.model import ExportLayer
from c5map.maps.common import display_names, partner_palette_of
from c5map.maps.style import (
    FILL_OPACITY,
    HATCH_COLOUR,
    INK,
    LAND_EDGE,
    NO_FIGURE_EDGE,
    NO_FIGURE_FILL,
)
from c5map.scenes import LegendEntry, LegendSection, region_figure_lines
from c5map.tables import Tables

#: The version QGIS reads the files as: 3.22 LTR (Debian bookworm's) and every later QGIS read this form.
QGIS_VERSION = "3.22.16-Białowieża"
#: How every QML file c5map writes starts; the layer's name and `` -->`` follow (:func:`qml_is_for`).
QML_MARK = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<!-- c5map style of the layer "
#: Millimetres of one CSS pixel (1/96 inch): a web page's line widths and hatching at their size on screen.
PX_MM = 25.4 / 96
#: The web's hatch (maps/templates/page.html.j2): lines 6 px apart at 45°, 1.6 px wide.
HATCH_SPACING_PX, HATCH_WIDTH_PX, HATCH_ANGLE = 6.0, 1.6, 45.0
#: Dashes (px) of the web's outlines: a member's deals of undisclosed value, and the region as a whole.
UNDISCLOSED_DASH_PX, REGION_DASH_PX = (6.0, 3.0), (8.0, 6.0)
#: Opacity of the fill of "deals of undisclosed value" on the web page.
UNDISCLOSED_OPACITY = 0.9
#: Points of one CSS pixel: the web's label sizes (maps/labels.py) in QGIS's unit.
PX_PT = 0.75


@dataclass(frozen=True)
class QgisStyle:
    """One QGIS style of an export layer: a row of ``layer_styles`` and, if the default, a ``.qml`` sidecar.

    Attributes
    ----------
    layer : str
        The export layer it styles (``countries``, ...).
    name : str
        What QGIS lists it as (``styleName``): the web page's name of the view.
    description : str
        What it shows, in the legend's words.
    qml : str
        The QML document.
    default : bool
        Whether QGIS opens the layer with it (``useAsDefault``).
    """

    layer: str
    name: str
    description: str
    qml: str
    default: bool


def qml_is_for(head: bytes, layer: str) -> bool:
    """Whether ``head`` (the first bytes of a file) is the start of a QML file c5map wrote for ``layer``."""
    return head.startswith(f"{QML_MARK}{layer} -->".encode())


# -- QML pieces ----------------------------------------------------------------------------------------------------


def _rgba(colour: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity as QGIS writes a colour: ``r,g,b,a`` (0-255 each)."""
    if colour == "none":
        return "0,0,0,0"
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(255 * opacity)}"


def _mm(pixels: float) -> str:
    return f"{pixels * PX_MM:.3f}"


def _options(parent: ET.Element, values: dict[str, str]) -> ET.Element:
    """Add a symbol layer's properties as QGIS 3 writes them: ``<Option type="Map">`` of QString options."""
    options = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        ET.SubElement(options, "Option", type="QString", name=name, value=value)
    return options


def _symbol_layer(symbol: ET.Element, kind: str, values: dict[str, str]) -> ET.Element:
    layer = ET.SubElement(symbol, "layer", {"class": kind, "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, values)
    return layer


def _symbol(kind: str, name: str) -> ET.Element:
    return ET.Element("symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})


def _line_values(colour: str, width_px: float, dash_px: tuple[float, float] | None = None) -> dict[str, str]:
    return {
        "line_color": _rgba(colour), "line_width": _mm(width_px), "line_width_unit": "MM", "line_style": "solid",
        "use_custom_dash": "1" if dash_px else "0", "customdash": ";".join(_mm(d) for d in dash_px or (5, 2)),
        "customdash_unit": "MM", "capstyle": "round", "joinstyle": "round", "offset": "0", "offset_unit": "MM",
    }  # fmt: skip


def _fill(colour: str, opacity: float) -> dict[str, str]:
    return {"color": _rgba(colour, opacity), "style": "no" if colour == "none" else "solid", "outline_style": "no",
            "outline_width": "0", "outline_width_unit": "MM", "offset": "0,0", "offset_unit": "MM"}  # fmt: skip


def area_symbol(entry: LegendEntry, name: str, opacity: float = FILL_OPACITY, width_px: float = 1.0) -> ET.Element:
    """Return the fill symbol of a legend entry: its fill and edge, dashed or hatched as its ``shape`` says.

    ``hatched-box`` ("no reported figure") is the web's hatch: a white wash, grey lines at 45°, a grey edge.
    """
    symbol = _symbol("fill", name)
    if entry.shape == "hatched-box":
        _symbol_layer(symbol, "SimpleFill", _fill(NO_FIGURE_FILL, 1.0))
        hatch = _symbol_layer(symbol, "LinePatternFill", {
            "angle": f"{HATCH_ANGLE:g}", "distance": _mm(HATCH_SPACING_PX), "distance_unit": "MM",
            "line_width": _mm(HATCH_WIDTH_PX), "line_width_unit": "MM", "color": _rgba(HATCH_COLOUR),
            "offset": "0", "offset_unit": "MM",
        })  # fmt: skip
        lines = ET.SubElement(hatch, "symbol", {"type": "line", "name": f"@{name}@1", "alpha": "1",
                                                "clip_to_extent": "1", "force_rhr": "0"})  # fmt: skip
        _symbol_layer(lines, "SimpleLine", _line_values(HATCH_COLOUR, HATCH_WIDTH_PX))
        _symbol_layer(symbol, "SimpleLine", _line_values(NO_FIGURE_EDGE, 1.0))
        return symbol
    _symbol_layer(symbol, "SimpleFill", _fill(entry.fill, opacity))
    dash = {"dashed-box": UNDISCLOSED_DASH_PX}.get(entry.shape)
    _symbol_layer(symbol, "SimpleLine", _line_values(entry.edge, width_px, dash))
    return symbol


def marker_symbol(entry: LegendEntry, name: str) -> ET.Element:
    """Return the circle of a legend entry (an event, a site): its fill, edge and size."""
    symbol = _symbol("marker", name)
    _symbol_layer(symbol, "SimpleMarker", {
        "name": "circle", "color": _rgba(entry.fill), "outline_color": _rgba(entry.edge), "outline_style": "solid",
        "outline_width": _mm(1.0), "outline_width_unit": "MM", "size": _mm(entry.size), "size_unit": "MM",
        "angle": "0", "offset": "0,0", "offset_unit": "MM",
    })  # fmt: skip
    return symbol


def line_symbol(colour: str, name: str, width_px: float = 2.0) -> ET.Element:
    """Return a solid line of ``colour``, ``width_px`` CSS pixels wide."""
    symbol = _symbol("line", name)
    _symbol_layer(symbol, "SimpleLine", _line_values(colour, width_px))
    return symbol


def rule_renderer(rules: list[tuple[str, str, ET.Element]]) -> ET.Element:
    """Return a rule-based renderer: (legend label, filter expression, symbol) per rule, in legend order."""
    renderer = ET.Element("renderer-v2", type="RuleRenderer", symbollevels="0", enableorderby="0", forceraster="0")
    root = ET.SubElement(renderer, "rules", key="c5map-root")
    symbols = ET.SubElement(renderer, "symbols")
    for index, (label, expression, symbol) in enumerate(rules):
        ET.SubElement(root, "rule", key=f"c5map-{index}", symbol=str(index), label=label, filter=expression)
        symbol.set("name", str(index))
        symbols.append(symbol)
    return renderer


def categorized_renderer(field: str, categories: list[tuple[str, str, ET.Element]]) -> ET.Element:
    """Return a categorized renderer on ``field``: (value, legend label, symbol) per category."""
    renderer = ET.Element("renderer-v2", type="categorizedSymbol", attr=field, symbollevels="0", enableorderby="0",
                          forceraster="0")  # fmt: skip
    listed = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, (value, label, symbol) in enumerate(categories):
        ET.SubElement(listed, "category", value=value, symbol=str(index), label=label, render="true")
        symbol.set("name", str(index))
        symbols.append(symbol)
    return renderer


def literal(text: str) -> str:
    r"""Return ``text`` as a QGIS expression string: quotes doubled, backslashes escaped, each line break ``char(10)``.

    Examples
    --------
    >>> literal("Cote d'Ivoire")
    "'Cote d''Ivoire'"
    >>> literal("a\nb")
    "'a' || char(10) || 'b'"
    """
    lines = [f"'{line.replace(chr(92), chr(92) * 2).replace(chr(39), chr(39) * 2)}'" for line in text.split("\n")]
    return " || char(10) || ".join(lines)


def labeling(expression: str, geometry: str, size_px: float = 13.0, bold: bool = True) -> ET.Element:
    """Return labels as the web writes them: ``expression``'s text in ink on a white halo, ``size_px`` CSS pixels."""
    element = ET.Element("labeling", type="simple")
    settings = ET.SubElement(element, "settings", calloutType="simple")
    style = ET.SubElement(settings, "text-style", {
        "fieldName": expression, "isExpression": "1", "fontFamily": "Sans Serif", "namedStyle": "",
        "fontSize": f"{size_px * PX_PT:g}", "fontSizeUnit": "Point", "fontWeight": "63" if bold else "50",
        "fontItalic": "0", "textColor": _rgba(INK), "textOpacity": "1", "multilineHeight": "1",
        "blendMode": "0", "previewBkgrdColor": "255,255,255,255",
    })  # fmt: skip
    ET.SubElement(style, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.85", bufferJoinStyle="128",
                  bufferNoFill="1")  # fmt: skip
    ET.SubElement(settings, "text-format", multilineAlign="1", wrapChar="", addDirectionSymbol="0")
    # polygons: over their centroid, kept inside; "beside": outside the polygon (the region's figures, as the web
    # writes them beside the region, clear of its members' names); points: around the point; lines: along them
    placement = {"polygon": "1", "beside": "8", "point": "6", "line": "2"}[geometry]
    ET.SubElement(settings, "placement", placement=placement, centroidInside="1", dist="1", distUnits="MM",
                  priority="5")  # fmt: skip
    ET.SubElement(settings, "rendering", obstacle="1", drawLabels="1", scaleVisibility="0", displayAll="0")
    return element


def qml(layer: str, renderer: ET.Element, labels: ET.Element | None) -> str:
    """Return the QML document of a style: symbology and labels (:data:`QML_MARK` first, then the layer's name)."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Labeling",
                      labelsEnabled="1" if labels is not None else "0")  # fmt: skip
    root.append(renderer)
    if labels is not None:
        root.append(labels)
    ET.indent(root, space=" ")
    return f"{QML_MARK}{layer} -->\n{ET.tostring(root, encoding='unicode')}\n"


# -- the styles of the layers, from the web's decisions -------------------------------------------------------------


def _iso3_in(codes) -> str:
    """Return a filter naming countries by ``iso3``; ``FALSE`` for none (a class of the scale with no country in it)."""
    codes = sorted({str(c) for c in codes})
    return f'"iso3" IN ({", ".join(literal(c) for c in codes)})' if codes else "FALSE"


def _case(field: str, texts: dict[str, str], otherwise: str = "NULL") -> str:
    """``CASE WHEN "field" = 'a' THEN '...' ... END``: a label per feature, as the web writes it."""
    if not texts:
        return otherwise
    whens = " ".join(f'WHEN "{field}" = {literal(key)} THEN {literal(text)}' for key, text in texts.items())
    return f"CASE {whens} ELSE {otherwise} END"


#: The countries of the layer a view does not class (partners, counterparts): outlined only, as land on the web.
OTHER_COUNTRIES = LegendEntry("other countries of the layer (not classed in this view)", fill="none", edge=LAND_EDGE)


def view_rules(view, section: LegendSection) -> list[tuple[str, str, ET.Element]]:
    """Return the rules of one influence view: its classes, undisclosed, "no reported figure", then the rest.

    Each class names the members the scene put in it (``value_class``), in the legend's order and words.
    """
    figures = view.figures
    reported, dealt = figures["has_figure"].to_numpy(bool), figures["has_deal"].to_numpy(bool)
    rules = []
    classes = [entry for entry in section.entries if entry.shape == "box"]  # the whole scale, light to dark
    for k, entry in enumerate(classes):
        codes = figures.loc[reported & (figures["value_class"].to_numpy() == k), "iso3"]
        rules.append((entry.label, _iso3_in(codes), area_symbol(entry, "")))
    for entry in section.entries:
        if entry.shape == "dashed-box":
            symbol = area_symbol(entry, "", opacity=UNDISCLOSED_OPACITY, width_px=2.0)
            rules.append((entry.label, _iso3_in(figures.loc[dealt & ~reported, "iso3"]), symbol))
        elif entry.shape == "hatched-box":
            rules.append((entry.label, _iso3_in(figures.loc[~dealt, "iso3"]), area_symbol(entry, "")))
    rules.append((OTHER_COUNTRIES.label, "ELSE", area_symbol(OTHER_COUNTRIES, "", opacity=1.0)))
    return rules


def countries_styles(scene, names: dict[str, str]) -> list[QgisStyle]:
    """One style of the countries layer per influence view, named as the page's layer control names it.

    Members are labelled with their name and the figure the web writes under it (the view's
    :meth:`~c5map.scenes.influence.InfluenceView.map_figures`); the page's opening view is the default.
    """
    from c5map.scenes.influence import view_layer_name

    styles = []
    for index, (view, section) in enumerate(zip(scene.views, scene.view_sections, strict=True)):
        figures = view.map_figures()
        members = [str(c) for c in view.figures["iso3"]]
        texts = {c: "\n".join([names.get(c, c), *([figures[c]] if c in figures else [])]) for c in sorted(members)}
        labels = labeling(_case("iso3", texts), "polygon")
        renderer = rule_renderer(view_rules(view, section))
        styles.append(QgisStyle("countries", view_layer_name(view), section.title,
                                qml("countries", renderer, labels), index == scene.opening))  # fmt: skip
    return styles


def regions_style(section: LegendSection) -> QgisStyle:
    """Return the region's style as the web draws it: a dashed ink outline, no fill, its name and figures on it."""
    outline = section.entries[0]
    symbol = _symbol("fill", "0")
    _symbol_layer(symbol, "SimpleFill", _fill("none", 1.0))
    _symbol_layer(symbol, "SimpleLine", _line_values(outline.edge, 3.0, REGION_DASH_PX))
    lines = region_figure_lines(section)
    text = '"region_name"' + (f" || char(10) || {literal(chr(10).join(lines))}" if lines else "")
    renderer = rule_renderer([(outline.label, "TRUE", symbol)])
    return QgisStyle("regions", section.title, section.title, qml("regions", renderer, labeling(text, "beside", 12)),
                     True)  # fmt: skip


def flows_style(layer: ExportLayer, tables: Tables, names: dict[str, str]) -> QgisStyle:
    """Flows coloured by their origin in the partners' palette of every page (:func:`partner_palette_of`)."""
    palette = partner_palette_of(tables)
    origins = sorted({str(o) for o in layer.frame["origin"]})
    categories = [(o, names.get(o, o), line_symbol(palette.get(o, INK), "")) for o in origins]
    renderer = categorized_renderer("origin", categories)
    return QgisStyle("flows", "flows by origin", "Flows coloured by their origin, as on the pages",
                     qml("flows", renderer, None), True)  # fmt: skip


def point_style(layer: str, entry: LegendEntry, label_field: str | None) -> QgisStyle:
    """Return a point layer's style as the web marks it: ``entry``'s circle, labelled by ``label_field`` (if any)."""
    renderer = rule_renderer([(entry.label, "TRUE", marker_symbol(entry, ""))])
    labels = labeling(f'"{label_field}"', "point", 11, bold=False) if label_field else None
    return QgisStyle(layer, entry.label, entry.label, qml(layer, renderer, labels), True)


def qgis_styles(tables: Tables, layers_: dict[str, ExportLayer], region: str | None = None) -> dict[str, list]:
    """Return the QGIS styles of every export layer (name -> its :class:`QgisStyle` list, the default first).

    Parameters
    ----------
    tables : Tables
        The tables the layers were made from.
    layers_ : dict of str to ExportLayer
        :func:`c5map.export.export_layers` of them (all five: the countries layer gives the members' shapes).
    region : str, optional
        The build's region (default the only one, :func:`c5map.story.choose_region`).
    """
    from c5map import layers
    from c5map.resource_scale import resource_scale
    from c5map.scenes.influence import events_section, influence_scene, region_section
    from c5map.scenes.resources import kind_entries
    from c5map.story import story_for

    story = story_for(tables, region)
    countries = layers_["countries"].frame
    members = countries[countries["iso3"].isin(story.members)][["iso3", "name", "geometry"]]
    scene = influence_scene(tables, story, members)
    names = display_names(tables)
    site = kind_entries(resource_scale(tables.resources))["uniform"]
    events = events_section(layers.event_points(tables), 0)
    event = (
        events.entries[0] if events else LegendEntry("event in a known city", fill=INK, edge="#ffffff", shape="circle")
    )  # no event located: none drawn on the web
    styles = {
        "countries": countries_styles(scene, names),
        "regions": [regions_style(region_section(tables, story, scene.regional))],
        "flows": [flows_style(layers_["flows"], tables, names)],
        "resources": [point_style("resources", LegendEntry("deposit or reserve", fill=site.fill, edge=site.edge,
                                                           shape="circle", size=site.size), "name")],
        "events": [point_style("events", event, None)],
    }  # fmt: skip
    return {name: sorted(found, key=lambda s: not s.default) for name, found in styles.items()}


def layer_styles_frame(styles: dict[str, list[QgisStyle]], timestamp: str) -> pd.DataFrame:
    """Return the rows of a GeoPackage's ``layer_styles`` table, with the columns QGIS writes, ``update_time`` fixed."""
    rows = [
        {"f_table_catalog": "", "f_table_schema": "", "f_table_name": style.layer, "f_geometry_column": "geom",
         "styleName": style.name, "styleQML": style.qml, "styleSLD": "", "useAsDefault": style.default,
         "description": style.description, "owner": "", "ui": "", "update_time": pd.Timestamp(timestamp)}
        for found in styles.values() for style in found
    ]  # fmt: skip
    return pd.DataFrame(rows).astype({"useAsDefault": "bool"})
