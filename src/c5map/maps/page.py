"""The page's furniture: frame, tiles or Natural Earth land, title block, source line, panels.

:func:`new_map` returns an ordinary ``folium.Map``: whatever a folium user adds
to it (markers with icons, plugins) works, because every default asset is kept.
:func:`c5map.build` trims the assets of the pages it writes itself
(:func:`c5map.assets.leaflet_only`), where it knows nothing else was added.
"""

from __future__ import annotations

from dataclasses import dataclass

import branca.element
import folium
import geopandas as gpd
import pandas as pd
import shapely
from jinja2 import Template

from c5map.boundaries import MAX_ZOOM, load_countries, pixel_degrees, quantise
from c5map.i18n import N_, gettext
from c5map.maps.access import AccessibleFeatures
from c5map.maps.assets import script_once, style_once
from c5map.maps.safety import escape_text, js_string, json_for_script
from c5map.maps.shapes import ShapeLayer, SharedShapes
from c5map.maps.share import ShareState
from c5map.maps.style import HATCH_COLOUR, LAND_COLOUR, LAND_EDGE, NO_FIGURE_EDGE, NO_FIGURE_FILL, SEA_COLOUR
from c5map.maps.templates import macro
from c5map.maps.tiles import DEFAULT_TILES, resolve_tiles, tile_provider  # noqa: F401  (tile_provider: the page's API)

#: Fill of "no reported figure" on the web, as in print: hatched, so it never reads as land or as a low value.
HATCH_FILL = "url(#c5-hatch)"
#: Leaflet path options of a shape with no reported figure (influence and trade pages).
NO_FIGURE_STYLE = {"fillColor": HATCH_FILL, "fillOpacity": 1, "color": NO_FIGURE_EDGE, "weight": 1}


_PANEL_TEMPLATE = Template("""
{% macro script(this, kwargs) %}
c5mapPanel({{ this._parent.get_name() }}, {{ this.position_js }}, {{ this.css_class_js }}, {{ this.html_js }});
{% endmacro %}
""")


class Panel(branca.element.MacroElement):
    """A fixed box on the map (title, legend, source line) holding already-escaped HTML."""

    _template = _PANEL_TEMPLATE

    def __init__(self, safe_html: str, position: str, css_class: str):
        super().__init__()
        self._name = "Panel"
        self.safe_html = safe_html
        self.position_js = js_string(position)
        self.css_class_js = js_string(css_class)

    @property
    def html_js(self) -> str:
        """The panel's HTML as a script string."""
        return js_string(self.safe_html)

    def render(self, **kwargs) -> None:
        """Render the panel, with the page's panel function and styles once per page."""
        script_once(self, "panel.js")
        style_once(self, "page.css")
        super().render(**kwargs)


class TitlePanel(Panel):
    """The title block, with a row of tools (data table, downloads, embed, atlas) added until it is rendered."""

    def __init__(self, safe_html: str):
        super().__init__(safe_html, "topleft", "c5-title")
        self.tools: list[str] = []  # escaped HTML of each link or button

    @property
    def html_js(self) -> str:
        """The title and, if any, its tools as a list (``templates/page.html.j2``)."""
        return js_string(self.safe_html + macro("page.html.j2", "tools")(self.tools))


_COMPACT = Template("""
{% macro script(this, kwargs) %}
c5mapCompactControls({{ this._parent.get_name() }}, {{ this.view_js }});
{% endmacro %}
""")


class CompactControls(branca.element.MacroElement):
    """On a narrow map, fold the layer control into its button and open on ``view`` in the space left free.

    ``view``: (west, south, east, north), as given to :func:`new_map` (``assets/panel.js``).
    """

    _template = _COMPACT

    def __init__(self, view: tuple[float, float, float, float] | None = None):
        super().__init__()
        self._name = "CompactControls"
        west, south, east, north = view or (0, 0, 0, 0)
        self.view_js = json_for_script([[south, west], [north, east]]) if view else "null"

    def render(self, **kwargs) -> None:
        """Render the call, and the function once per page."""
        script_once(self, "panel.js")
        super().render(**kwargs)


_FIND = Template("""
{% macro script(this, kwargs) %}
c5mapFind({{ this._parent.get_name() }}, {{ this.labels_js }});
{% endmacro %}
""")
#: The words of the search box and the full-screen button (``assets/find.js``).
FIND_WORDS = {
    "search": N_("Find a country, partner or deal"),
    "results": N_("Found on this map"),
    "found": N_("{n} found"),
    "none": N_("Nothing on this map matches"),
    "fullscreen": N_("Full screen"),
    "exit": N_("Leave full screen"),
}  # in English; in the locale in use on the page


class FindAndFullscreen(branca.element.MacroElement):
    """A search box over the page's own features and a full-screen button, top right (``assets/find.js``).

    folium's ``plugins.Search`` and ``plugins.Fullscreen`` load their scripts from a CDN, which a
    ``--self-contained`` page cannot: these are the page's own 8 KB of script and style (3 KB gzipped).

    Parameters
    ----------
    search : str, optional
        What the search box finds, as its label says ("Find a country, deal or site").
    """

    _template = _FIND

    def __init__(self, search: str | None = None):
        super().__init__()
        self._name = "FindAndFullscreen"
        words = {key: gettext(words) for key, words in FIND_WORDS.items()}
        self.labels_js = json_for_script(words | ({"search": search} if search else {}))

    def render(self, **kwargs) -> None:
        """Render the call, and the function and styles once per page."""
        script_once(self, "find.js")
        script_once(self, "panel.js")  # c5mapFreeRoom: where a found feature is shown
        style_once(self, "find.css")
        super().render(**kwargs)


@dataclass(frozen=True)
class PageText:
    """What a reader reads around a map. Plain text: it is escaped here."""

    title: str
    subtitle: str
    source: str
    byline: str = ""


def _add_land(m: folium.Map, seam: float) -> None:
    """Natural Earth 1:110m countries, for maps drawn without tiles: land, sea and borders for context."""
    world = load_countries("110m")
    simplified = shapely.coverage_simplify(world.geometry.values, pixel_degrees(3))
    land = gpd.GeoDataFrame({"iso3": world["iso3"]}, geometry=list(quantise(simplified, 2)), crs=world.crs)
    shapes = SharedShapes(land, seam=seam)
    m.add_child(shapes)
    style = {
        "fillColor": LAND_COLOUR,
        "color": LAND_EDGE,
        "weight": 0.8,
        "fillOpacity": 1,
        "interactive": False,
    }
    m.add_child(ShapeLayer(shapes, dict.fromkeys(shapes.ids, style), {}))


@dataclass
class MapPage:
    """A page c5map made: the folium map, and what the build and the atlas need of it, kept apart from the map.

    Attributes
    ----------
    map : folium.Map
        An ordinary folium map, with folium's default assets.
    text : PageText
        Its title, subtitle, source line and byline.
    title : TitlePanel
        The title panel: its ``tools`` are the buttons and links in it.
    data_csv : str or None
        The address of the page's "get the data" CSV, linked from its data table, when the build writes one.
    figures : pandas.DataFrame or None
        The rows of its data table (:func:`c5map.maps.figures.add_data_table`), which the build writes as CSV.
    finding : str
        The atlas's line on this map.
    caption : str
        The data table's caption.
    """

    map: folium.Map
    text: PageText
    title: TitlePanel
    data_csv: str | None = None
    figures: pd.DataFrame | None = None
    finding: str = ""
    caption: str = ""


def new_page(
    text: PageText,
    bounds: tuple[float, float, float, float],
    tiles: str | None = DEFAULT_TILES,
    max_zoom: int = MAX_ZOOM,
    seam: float = -180.0,
    data_csv: str | None = None,
    search: str | None = None,
) -> MapPage:
    """Create a page: frame, tiles or Natural Earth land, title, source line.

    Parameters
    ----------
    text : PageText
        Title, subtitle and source line (plain text).
    bounds : tuple of float
        (west, south, east, north) the map opens on. Computed from what the
        map is about, never from a whole layer: Russia's bounds span the globe.
    tiles : str or None
        ``"OpenStreetMap"`` or an ``xyzservices`` provider name (``"Esri.WorldGrayCanvas"``,
        ``"OpenStreetMap.Mapnik"``, ...), or ``None`` / ``"none"`` for land
        and sea from Natural Earth alone.
    max_zoom : int
        Deepest zoom allowed: the one the page's geometry was simplified for.
    seam : float
        The meridian where the page's world copy starts
        (:func:`c5map.maps.common.page_view`).
    data_csv : str, optional
        The address of the page's data CSV, when the build writes one.
    search : str, optional
        The search box's label, when the page finds more than countries, partners and deals.

    Returns
    -------
    MapPage
        The map and what is known of the page.

    Call this inside :func:`c5map.maps.safety.stable_ids`.
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
        zoom_snap=0.25,  # the opening fit fills the screen, not the largest whole zoom that fits (a third less)
    )
    m.get_root().title = escape_text(text.title)
    hatch = macro("page.html.j2", "hatch_defs")(NO_FIGURE_FILL, HATCH_COLOUR)
    m.get_root().html.add_child(branca.element.Element(hatch), name="c5-hatch")
    if tiles is None or tiles.lower() == "none":
        m.get_root().header.add_child(
            branca.element.Element(macro("page.html.j2", "sea_style")(SEA_COLOUR)), name="c5-sea"
        )
        _add_land(m, seam)
    else:
        chosen = resolve_tiles(tiles)
        provider = chosen.provider
        folium.TileLayer(
            tiles=chosen.url,
            attr=provider.html_attribution,
            name=escape_text(provider.name),
            max_zoom=max_zoom,
            max_native_zoom=min(max_zoom, int(provider.get("max_zoom", max_zoom))),
            control=False,
        ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    title = TitlePanel(macro("page.html.j2", "title")(text.title, text.subtitle, text.byline))
    m.add_child(title)
    m.add_child(Panel(macro("page.html.j2", "source")(text.source), "bottomleft", "c5-source"))
    m.add_child(FindAndFullscreen(search))  # top right, above the layer control added later
    m.add_child(CompactControls(bounds))
    m.add_child(AccessibleFeatures())
    m.add_child(ShareState())
    return MapPage(m, text, title, data_csv)
