r"""What every c5map page shares: escaping, stable ids, frame, tiles, legends, styles.

The story modules (``influence``, ``trade``, ``resources``, ``timeline``)
only decide what to draw; everything a reader sees around it, and every
string that reaches the page, goes through here.

Escaping rule: every string from data or options is passed through
:func:`escape_text` (or :func:`json_for_script` for data in scripts) before it
reaches folium. That makes it inert in all the places folium puts text: HTML
(``<``, ``&``, quotes), JavaScript template literals (`` ` ``, ``${``,
``\\``), ``innerHTML`` assignments, and Jinja: branca renders each element's
output *again* as a template (``MacroElement.render`` wraps it in
``Element(output)``), so a ``{{ ... }}`` in a CSV cell would otherwise run as
template code at build time. Braces are therefore always encoded.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import branca.element
import folium
import geopandas as gpd
import numpy as np
import shapely
import xyzservices.providers
from jinja2 import Template

from c5map.assets import leaflet_only
from c5map.boundaries import MAX_ZOOM, load_countries, pixel_degrees, quantise

DEFAULT_TILES = "Esri.WorldGrayCanvas"
SEA_COLOUR = "#dde8ef"
LAND_COLOUR = "#f5f3ee"
LAND_EDGE = "#c9c4b8"
NO_FIGURE_FILL = "#ffffff"
NO_FIGURE_EDGE = "#8c8c8c"
INK = "#222222"

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
# Known partners keep their colour on every map; others take the rest in code order.
PARTNER_COLOURS: dict[str, str] = {"USA": "#0072B2", "CHN": "#D55E00", "RUS": "#CC79A7", "KAZ": "#E69F00"}
_SPARE_COLOURS = ["#009E73", "#56B4E9", "#F0E442", "#000000"]


def partner_colour(code: str, every_partner: Sequence[str] = ()) -> str:
    """Return the colour of a partner, the same on every map of a build.

    Examples
    --------
    >>> partner_colour("USA")
    '#0072B2'
    >>> partner_colour("IND", ["IND", "USA"])
    '#009E73'
    """
    if code in PARTNER_COLOURS:
        return PARTNER_COLOURS[code]
    others = sorted(p for p in set(every_partner) | {code} if p not in PARTNER_COLOURS)
    return _SPARE_COLOURS[others.index(code) % len(_SPARE_COLOURS)]


def escape_text(text: object) -> str:
    r"""Make any value safe to show as text in HTML, a JS template literal or innerHTML.

    Examples
    --------
    >>> escape_text("<b>${alert(1)}</b> `x` \\")
    '&lt;b&gt;&#36;&#123;alert(1)&#125;&lt;/b&gt; &#96;x&#96; &#92;'
    """
    escaped = html.escape(str(text), quote=True)
    for char, entity in (("$", "&#36;"), ("`", "&#96;"), ("\\", "&#92;"), ("{", "&#123;"), ("}", "&#125;")):
        escaped = escaped.replace(char, entity)
    return escaped


def layer_key(name: str) -> str:
    """Return the name a layer gets in the layer control (escaped: Leaflet shows it with innerHTML)."""
    return escape_text(name)


def json_for_script(value: object) -> str:
    r"""Return any JSON value, safe inside a ``<script>`` block: ASCII only, keys sorted, ``<>&`` as escapes.

    ``<`` and ``>`` only occur inside JSON strings, where ``\u003c`` means the
    same, so no ``</script>`` or ``<!--`` can end or confuse the block.

    Examples
    --------
    >>> json_for_script({"b": "</script>", "a": 1})
    '{"a":1,"b":"\\u003c/script\\u003e"}'
    """
    text = json.dumps(_mark_braces(value), ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    text = text.replace(_OPEN_MARK, "\\u007b").replace(_CLOSE_MARK, "\\u007d")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Braces inside JSON strings become \u007b / \u007d so no "{{" or "{%" reaches branca's second Jinja pass;
# they pass json.dumps as control-character markers (which it escapes), then are swapped.
_OPEN, _CLOSE = "\x01c5map-open\x01", "\x01c5map-close\x01"
_OPEN_MARK, _CLOSE_MARK = json.dumps(_OPEN)[1:-1], json.dumps(_CLOSE)[1:-1]


def _mark_braces(value: object) -> object:
    if isinstance(value, str):
        return value.replace("{", _OPEN).replace("}", _CLOSE)
    if isinstance(value, dict):
        return {_mark_braces(k): _mark_braces(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if all(type(v) is int for v in value):  # a ring of integer steps: nothing to mark, and most of a page
            return value
        return [_mark_braces(v) for v in value]
    return value


def js_string(text: str) -> str:
    """Quote a string for a ``<script>`` block (see :func:`json_for_script`)."""
    return json_for_script(text)


_ID_LOCK = threading.Lock()


@contextmanager
def stable_ids(seed: str) -> Iterator[None]:
    """Give every branca/folium element created inside a deterministic id.

    folium names each element with ``os.urandom`` (branca's
    ``Element._generate_id``), so two builds of the same map differ. Inside
    this block ids are ``sha256(seed, n)`` for the n-th element created, so
    the same code on the same data gives byte-identical pages.
    """
    counter = itertools.count()
    original = branca.element.Element.__dict__["_generate_id"]

    def _generate_id(cls) -> str:
        return hashlib.sha256(f"{seed}:{next(counter)}".encode()).hexdigest()[:16]

    with _ID_LOCK:
        branca.element.Element._generate_id = classmethod(_generate_id)
        try:
            yield
        finally:
            branca.element.Element._generate_id = original


def tooltip_html(title: str, rows: Sequence[tuple[str, str]] = (), note: str = "") -> str:
    """Build the HTML of a tooltip from plain strings; every string is escaped.

    Examples
    --------
    >>> tooltip_html("Kazakhstan", [("United States", "$4.2bn")])
    '<div class="c5-tip"><b>Kazakhstan</b><br><span>United States: &#36;4.2bn</span></div>'
    """
    parts = [f"<b>{escape_text(title)}</b>"]
    parts += [f"<span>{escape_text(label)}: {escape_text(value)}</span>" for label, value in rows]
    if note:
        parts.append(f"<small>{escape_text(note)}</small>")
    return '<div class="c5-tip">' + "<br>".join(parts) + "</div>"


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: a swatch and its label."""

    label: str
    fill: str = NO_FIGURE_FILL
    edge: str = INK
    shape: str = "box"  # box | line | circle | dashed-box | dashed-circle
    size: float = 12.0


@dataclass(frozen=True)
class LegendSection:
    """A legend for one layer; ``layer`` is the layer's control name (it hides with the layer)."""

    title: str
    entries: tuple[LegendEntry, ...]
    layer: str | None = None


def _swatch(entry: LegendEntry) -> str:
    size = entry.size
    if entry.shape == "line":
        return (
            f'<svg width="28" height="{max(size, 8):.0f}"><line x1="1" y1="{max(size, 8) / 2:.1f}" x2="27" '
            f'y2="{max(size, 8) / 2:.1f}" stroke="{entry.edge}" stroke-width="{size:.1f}" '
            'stroke-linecap="round"/></svg>'
        )
    if entry.shape in ("circle", "dashed-circle"):
        dash = ' stroke-dasharray="3 2"' if entry.shape == "dashed-circle" else ""
        return (
            f'<svg width="{size + 2:.0f}" height="{size + 2:.0f}"><circle cx="{size / 2 + 1:.1f}" '
            f'cy="{size / 2 + 1:.1f}" r="{size / 2:.1f}" fill="{entry.fill}" fill-opacity="0.75" '
            f'stroke="{entry.edge}"{dash}/></svg>'
        )
    dash = ' stroke-dasharray="3 2"' if entry.shape == "dashed-box" else ""
    return (
        f'<svg width="18" height="14"><rect x="1" y="1" width="16" height="12" fill="{entry.fill}" '
        f'stroke="{entry.edge}"{dash}/></svg>'
    )


def legend_html(sections: Sequence[LegendSection]) -> str:
    """HTML of the legend panel; each section carries ``data-layer`` so it can follow its layer."""
    blocks = []
    for section in sections:
        # getAttribute() decodes one level of entities, giving back layer_key(): what the control reports.
        layer = f' data-layer="{escape_text(layer_key(section.layer))}"' if section.layer else ""
        rows = "".join(
            f'<div class="c5-legend-row">{_swatch(e)}<span>{escape_text(e.label)}</span></div>' for e in section.entries
        )
        blocks.append(f'<div class="c5-legend-section"{layer}><b>{escape_text(section.title)}</b>{rows}</div>')
    return "".join(blocks)


_PAGE_CSS = """
.c5-title{background:rgba(255,255,255,.94);padding:8px 12px;max-width:460px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.3);font:13px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222}
.c5-title h1{font-size:18px;margin:0 0 2px;line-height:1.2}
.c5-title p{margin:0;color:#444}
.c5-legend{background:rgba(255,255,255,.94);padding:6px 10px;border-radius:4px;max-width:280px;
  box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222}
.c5-legend-section{margin:2px 0 6px}
.c5-legend-row{display:flex;align-items:center;gap:6px;margin:2px 0}
.c5-source{background:rgba(255,255,255,.9);padding:2px 6px;font:11px system-ui,sans-serif;color:#333;
  max-width:70vw}
.c5-tip{font:12px/1.35 system-ui,sans-serif;max-width:320px;white-space:normal}
.leaflet-tooltip{white-space:normal;min-width:180px}
"""

_PANEL_TEMPLATE = Template("""
{% macro header(this, kwargs) %}{% if this.css %}<style>{{ this.css }}</style>{% endif %}{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
    var panel = L.control({position: {{ this.position_js }}});
    panel.onAdd = function() {
        var div = L.DomUtil.create('div', {{ this.css_class_js }});
        div.innerHTML = {{ this.html_js }};
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    panel.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")


class Panel(branca.element.MacroElement):
    """A fixed box on the map (title, legend, source line) holding already-escaped HTML."""

    _template = _PANEL_TEMPLATE

    def __init__(self, safe_html: str, position: str, css_class: str, css: str = ""):
        super().__init__()
        self._name = "Panel"
        self.html_js = js_string(safe_html)
        self.position_js = js_string(position)
        self.css_class_js = js_string(css_class)
        self.css = css


_LEGEND_FOLLOWS_LAYERS = Template("""
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    function sync(e) {
        var shown = e.type === 'overlayadd';
        document.querySelectorAll('.c5-legend-section[data-layer]').forEach(function(section) {
            if (section.getAttribute('data-layer') === e.name) { section.style.display = shown ? '' : 'none'; }
        });
    }
    map.on('overlayadd overlayremove', sync);
    {% for name in this.hidden %}
    document.querySelectorAll('.c5-legend-section[data-layer]').forEach(function(section) {
        if (section.getAttribute('data-layer') === {{ name }}) { section.style.display = 'none'; }
    });
    {% endfor %}
})();
{% endmacro %}
""")


class LegendFollowsLayers(branca.element.MacroElement):
    """Show a legend section only while its layer is on."""

    _template = _LEGEND_FOLLOWS_LAYERS

    def __init__(self, hidden_layers: Sequence[str]):
        super().__init__()
        self._name = "LegendFollowsLayers"
        # The layer control reports a layer by the (escaped) name it was given.
        self.hidden = [js_string(layer_key(n)) for n in hidden_layers]


@dataclass(frozen=True)
class PageText:
    """What a reader reads around a map. Plain text: it is escaped here."""

    title: str
    subtitle: str
    source: str


def _add_land(m: folium.Map) -> None:
    """Natural Earth 1:110m countries, for maps drawn without tiles: land, sea and borders for context."""
    world = load_countries("110m")
    simplified = shapely.coverage_simplify(world.geometry.values, pixel_degrees(3))
    land = gpd.GeoDataFrame({"iso3": world["iso3"]}, geometry=list(quantise(simplified, 2)), crs=world.crs)
    shapes = SharedShapes(land)
    m.add_child(shapes)
    style = {
        "fillColor": LAND_COLOUR,
        "color": LAND_EDGE,
        "weight": 0.8,
        "fillOpacity": 1,
        "interactive": False,
    }
    m.add_child(ShapeLayer(shapes, dict.fromkeys(shapes.ids, style), {}))


def new_map(
    text: PageText,
    bounds: tuple[float, float, float, float],
    tiles: str | None = DEFAULT_TILES,
    max_zoom: int = MAX_ZOOM,
) -> folium.Map:
    """Create a page: frame, tiles or Natural Earth land, title, source line.

    Parameters
    ----------
    text : PageText
        Title, subtitle and source line (plain text).
    bounds : tuple of float
        (west, south, east, north) the map opens on. Computed from what the
        map is about, never from a whole layer: Russia's bounds span the globe.
    tiles : str or None
        An ``xyzservices`` provider name (``"Esri.WorldGrayCanvas"``,
        ``"OpenStreetMap.Mapnik"``, ...), or ``None`` / ``"none"`` for land
        and sea from Natural Earth alone.
    max_zoom : int
        Deepest zoom allowed: the one the page's geometry was simplified for.

    Call this inside :func:`stable_ids`.
    """
    west, south, east, north = bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=4,
        tiles=None,
        min_zoom=2,
        max_zoom=max_zoom,
        control_scale=True,
        world_copy_jump=False,
    )
    leaflet_only(m)
    if tiles is None or tiles.lower() == "none":
        m.get_root().header.add_child(
            # more specific than leaflet.css's .leaflet-container, which the page loads after this
            branca.element.Element(f"<style>html body .leaflet-container{{background:{SEA_COLOUR}}}</style>"),
            name="c5-sea",
        )
        _add_land(m)
    else:
        provider = tile_provider(tiles)
        folium.TileLayer(
            tiles=provider.build_url(scale_factor="{r}") if "{r}" in provider.url else provider.build_url(),
            attr=provider.html_attribution,
            name=escape_text(provider.name),
            max_zoom=max_zoom,
            max_native_zoom=min(max_zoom, int(provider.get("max_zoom", max_zoom))),
            control=False,
        ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    title = f"<h1>{escape_text(text.title)}</h1><p>{escape_text(text.subtitle)}</p>"
    m.add_child(Panel(title, "topleft", "c5-title", css=" ".join(_PAGE_CSS.split())))
    source = f"{escape_text(text.source)} · Made with Natural Earth"
    m.add_child(Panel(source, "bottomleft", "c5-source"))
    return m


def tile_provider(name: str) -> xyzservices.TileProvider:
    """Look up a tile provider by its xyzservices name; refuse ones that need an API key."""
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        raise ValueError(
            f"unknown tile provider {name!r}; use an xyzservices name such as {DEFAULT_TILES!r}, or 'none'"
        ) from None
    if provider.requires_token():
        raise ValueError(f"tile provider {name!r} needs an API key; choose another or 'none'")
    return provider


def add_legend(m: folium.Map, sections: Sequence[LegendSection], hidden_layers: Sequence[str] = ()) -> None:
    """Add the legend panel; sections tied to a layer follow its visibility."""
    m.add_child(Panel(legend_html(sections), "bottomright", "c5-legend"))
    if any(s.layer for s in sections):
        m.add_child(LegendFollowsLayers(hidden_layers))


def nice_breaks(values: Sequence[float], classes: int = 4) -> list[float]:
    """Class breaks on the 1-2-5 ladder between the smallest and largest value.

    Examples
    --------
    >>> nice_breaks([4.2e9, 8e9, 15e9])
    [5000000000.0, 10000000000.0]
    >>> nice_breaks([])
    []
    """
    positive = sorted(v for v in values if v and v > 0 and math.isfinite(v))
    if len(positive) < 2:
        return []
    low, high = positive[0], positive[-1]
    ladder = [
        m * 10.0**e for e in range(int(math.floor(math.log10(low))) - 1, int(math.log10(high)) + 2) for m in (1, 2, 5)
    ]
    inside = [b for b in ladder if low < b <= high]
    if len(inside) <= classes - 1:
        return inside
    step = (len(inside) - 1) / (classes - 2) if classes > 2 else 1
    return sorted({inside[round(i * step)] for i in range(classes - 1)})


def tint(colour: str, share: float) -> str:
    """Mix ``colour`` with white: share 1 is the colour, 0 is white.

    Examples
    --------
    >>> tint("#0072B2", 0.5)
    '#80b8d8'
    """
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * share) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def class_colours(colour: str, n: int) -> list[str]:
    """``n`` steps from a light tint of ``colour`` through it to a darker shade, for classed values.

    Examples
    --------
    >>> class_colours("#0072B2", 3)
    ['#bfdcec', '#338ec1', '#004a74']
    """
    if n <= 1:
        return [colour]
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    out = []
    for i in range(n):
        step = 0.25 + 1.1 * i / (n - 1)  # 0.25: mostly white; 1: the colour; 1.35: a third darker
        if step <= 1:
            out.append(tint(colour, step))
        else:
            dark = 1 - (step - 1)
            out.append("#" + "".join(f"{round(c * dark):02x}" for c in (r, g, b)))
    return out


def class_of(value: float, breaks: Sequence[float]) -> int:
    """Index of the class ``value`` falls in (breaks are lower bounds of classes 1..n)."""
    return sum(value >= b for b in breaks)


def class_labels(breaks: Sequence[float], fmt) -> list[str]:
    """Legend labels for classes split at ``breaks``, using ``fmt`` for numbers."""
    if not breaks:
        return ["reported figure"]
    labels = [f"less than {fmt(breaks[0])}"]
    labels += [f"{fmt(a)} to {fmt(b)}" for a, b in itertools.pairwise(breaks)]
    labels.append(f"{fmt(breaks[-1])} or more")
    return labels


def line_weight(value: float, largest: float, thinnest: float = 2.0, thickest: float = 12.0) -> float:
    """Stroke width for a flow: its area-like sqrt share of the largest on the page."""
    if not largest or not math.isfinite(value) or value <= 0:
        return thinnest
    return round(thinnest + (thickest - thinnest) * math.sqrt(value / largest), 2)


def symbol_radius(value: float, largest: float, biggest_px: float = 40.0) -> float:
    """Radius in pixels of a proportional circle: area proportional to value, one scale per page."""
    if not largest or value <= 0:
        return 0.0
    return round(biggest_px * math.sqrt(value / largest), 2)


def latlon_parts(geometry) -> list[list[tuple[float, float]]]:
    """(lat, lon) lists of a (Multi)LineString's parts, rounded for the page, as Leaflet wants them."""
    parts = list(geometry.geoms) if geometry.geom_type == "MultiLineString" else [geometry]
    return [[(round(y, 3), round(x, 3)) for x, y in part.coords] for part in parts]


# Shapes travel as integers: each ring a flat list [dx, dy, dx, dy, ...] of steps of 1/scale degree from the
# previous point (the first from 0, 0), decoded here into a GeoJSON FeatureCollection of MultiPolygons.
_SHAPES_FUNCTION = """
function c5mapShapes(packed) {
    var scale = packed.s;
    function ring(steps) {
        var out = [], x = 0, y = 0;
        for (var i = 0; i < steps.length; i += 2) {
            x += steps[i];
            y += steps[i + 1];
            out.push([x / scale, y / scale]);
        }
        return out;
    }
    return {type: 'FeatureCollection', features: packed.f.map(function(item) {
        return {type: 'Feature', id: item[0], properties: {},
                geometry: {type: 'MultiPolygon', coordinates: item[1].map(function(p) { return p.map(ring); })}};
    })};
}
"""

_SHARED_SHAPES = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = c5mapShapes({{ this.data_js }});
{% endmacro %}
""")


def _define_once(element: branca.element.Element, name: str, function_js: str) -> None:
    """Put a page-level JavaScript function in the page's script once, however many elements call it.

    Function declarations are hoisted, so it may follow its first call in the
    script block.
    """
    element.get_root().script.add_child(branca.element.Element(function_js), name=name)


class SharedShapes(branca.element.MacroElement):
    """Geometry written once per page and drawn by several :class:`ShapeLayer` (one per partner).

    folium's GeoJson embeds its data in every layer; five countries drawn
    for three partners would be written three times.
    """

    _template = _SHARED_SHAPES

    def __init__(self, frame: gpd.GeoDataFrame, id_column: str = "iso3"):
        super().__init__()
        self._name = "SharedShapes"
        scale = 10 ** _decimals(frame.geometry.values)
        packed = [[str(key), _pack(geom, scale)] for key, geom in zip(frame[id_column], frame.geometry, strict=True)]
        self.data_js = json_for_script({"s": scale, "f": packed})
        self.ids = [str(k) for k in frame[id_column]]

    def render(self, **kwargs) -> None:
        """Render this shape set, and its decoder once per page."""
        _define_once(self, "c5map_shapes", _SHAPES_FUNCTION)
        super().render(**kwargs)


def _decimals(geometries: np.ndarray, most: int = 7) -> int:
    """Return the fewest decimal places that hold every coordinate exactly (geometry is quantised upstream)."""
    coordinates = shapely.get_coordinates(geometries)
    for decimals in range(most):
        scaled = coordinates * 10**decimals
        if np.allclose(scaled, np.rint(scaled), rtol=0, atol=1e-6):
            return decimals
    return most


def _pack(geometry, scale: int) -> list[list[list[int]]]:
    """Return a (Multi)Polygon as polygons of rings of integer steps (see the decoder in ``_SHAPES_FUNCTION``)."""
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    packed = []
    for polygon in polygons:
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            points = np.rint(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64)
            rings.append(np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist())
        packed.append(rings)
    return packed


# Defined once per page (see _define_once).
_SHAPE_LAYER_FUNCTION = """
function c5mapShapeLayer(group, shapes, styles, tips) {
    function draw() {
        L.geoJson(shapes, {
            filter: function(f) { return styles.hasOwnProperty(f.id); },
            style: function(f) { return styles[f.id]; },
            onEachFeature: function(f, layer) {
                if (styles[f.id].interactive === false) { return; }
                if (tips[f.id]) { layer.bindTooltip(tips[f.id], {sticky: true}); }
                layer.on('mouseover', function() { layer.setStyle({weight: styles[f.id].weight + 2}); });
                layer.on('mouseout', function() { layer.setStyle({weight: styles[f.id].weight}); });
            }
        }).addTo(group);
    }
    // a layer hidden at first is built when the reader first turns it on: the first frame waits only for what shows
    if (group instanceof L.Map || group._map) { draw(); } else { group.once('add', draw); }
}
"""

_SHAPE_LAYER = Template("""
{% macro script(this, kwargs) %}
c5mapShapeLayer({{ this._parent.get_name() }}, {{ this.shapes.get_name() }}, {{ this.styles_js }}, {{ this.tips_js }});
{% endmacro %}
""")


class ShapeLayer(branca.element.MacroElement):
    """Draw some of a :class:`SharedShapes` with a style and an (escaped) tooltip per shape.

    Parameters
    ----------
    shapes : SharedShapes
    styles : dict of str to dict
        Leaflet path options per shape id; shapes without a style are not drawn.
    tooltips : dict of str to str
        Tooltip HTML per shape id, built with :func:`tooltip_html` (escaped).
    """

    _template = _SHAPE_LAYER

    def __init__(self, shapes: SharedShapes, styles: dict[str, dict], tooltips: dict[str, str]):
        super().__init__()
        self._name = "ShapeLayer"
        self.shapes = shapes
        self.styles_js = json_for_script(styles)
        self.tips_js = json_for_script(tooltips)

    def render(self, **kwargs) -> None:
        """Render this layer's call, and the drawing function once per page."""
        _define_once(self, "c5map_shape_layer", _SHAPE_LAYER_FUNCTION)
        super().render(**kwargs)
