"""Place labels drawn by c5map, so a reader can tell one country from another with any tiles, or none.

Candidates come from Natural Earth (each country's label point and the zoom
from which it labels it, ``LABEL_X``, ``LABEL_Y``, ``MIN_LABEL``), the capitals
(``places.csv``, then the bundled gazetteer) and the named places of
``places.csv``. ``assets/labels.js`` places them in priority order after every
move and zoom: with a halo, never over another label, a panel, a control or a
figure; what finds no room is left out at that zoom.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache

import branca.element
import folium
import geopandas as gpd
import pandas as pd
import pyogrio
from jinja2 import Template

from c5map import layers
from c5map.boundaries import bundled_path
from c5map.i18n import gettext
from c5map.maps.assets import script_once
from c5map.maps.safety import json_for_script
from c5map.maps.shapes import wrap_lon
from c5map.scenes import LegendSection, region_figure_lines
from c5map.tables import Tables

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
#: (CSS font, pixel size) of each kind of label.
STYLES = {
    "member": (f"600 13px {FONT}", 13),
    "partner": (f"600 12px {FONT}", 12),
    "context": (f"12px {FONT}", 12),
    "capital": (f"12px {FONT}", 12),
    "place": (f"italic 12px {FONT}", 12),
    "figure": (f"700 13px {FONT}", 13),  # a figure written under a country's name (see Labels)
    "region": (f"600 12px {FONT}", 12),  # "Central Asia (C5) as a whole", its figures under it
}


@cache
def natural_earth_label_points() -> pd.DataFrame:
    """Return ``iso3, name, lon, lat, min_zoom`` of every Natural Earth 1:10m country's label."""
    frame = pyogrio.read_dataframe(
        bundled_path("10m"),
        columns=["ADM0_A3", "NAME", "LABEL_X", "LABEL_Y", "MIN_LABEL"],
        read_geometry=False,
        encoding="UTF-8",
    )
    return pd.DataFrame(
        {
            "iso3": frame["ADM0_A3"].astype(str),
            "name": frame["NAME"].astype(str),
            "lon": frame["LABEL_X"].astype(float).round(3),
            "lat": frame["LABEL_Y"].astype(float).round(3),
            "min_zoom": frame["MIN_LABEL"].astype(float),
        }
    ).sort_values("iso3", ignore_index=True)


def _label(
    kind: str, text: str, lon: float, lat: float, min_zoom: float, priority: float, seam: float, iso3: str = ""
) -> dict:
    # a context name (some 200 a page) is centred on a country a tenth of a degree is nothing to; a dot is not
    places = 1 if kind == "context" else 2
    return {
        "kind": kind, "text": text, "lon": round(wrap_lon(lon, seam), places), "lat": round(float(lat), places),
        "minZoom": min_zoom, "priority": priority, "iso3": iso3,
    }  # fmt: skip


def label_candidates(
    tables: Tables,
    members: Iterable[str],
    partners: Iterable[str] = (),
    *,
    names: dict[str, str] | None = None,
    seam: float = -180.0,
) -> list[dict]:
    """Every label a page may show, most important first.

    Members are labelled from the first zoom, partners from Natural Earth's
    zoom or 3, other countries from Natural Earth's zoom; the capitals of
    members and partners, where the lines of a page end, from the first zoom (after the countries' names and
    figures, where room is left), named places of ``places.csv`` from 5.
    """
    members, partners = set(members), set(partners) - set(members)
    points = natural_earth_label_points()
    names = names or {}
    out = []
    for row in points.itertuples():
        text = names.get(row.iso3, row.name)
        if row.iso3 in members:
            out.append(_label("member", text, row.lon, row.lat, 0, 300, seam, row.iso3))
        elif row.iso3 in partners:
            out.append(_label("partner", text, row.lon, row.lat, min(row.min_zoom, 3), 200, seam, row.iso3))
        else:
            out.append(
                _label("context", text, row.lon, row.lat, math.floor(row.min_zoom), 100 - row.min_zoom, seam, row.iso3)
            )
    capital_names = layers.capital_names(tables)
    for iso3, (lon, lat) in sorted(layers.capitals(tables).items()):
        if iso3 in members or iso3 in partners:
            out.append(_label("capital", capital_names[iso3], lon, lat, 0, 150 if iso3 in members else 140, seam))
    places = tables.places[tables.places["role"] != "capital"]
    for place in places.sort_values("place_id").itertuples():
        out.append(_label("place", str(place.name), place.lon, place.lat, 5, 50, seam))
    out.sort(key=lambda label: (-label["priority"], label["text"]))
    return out


_LABELS = Template("""
{% macro script(this, kwargs) %}
c5mapLabels({{ this._parent.get_name() }}, {{ this.labels_js }});
{% endmacro %}
""")


class Labels(branca.element.MacroElement):
    """The page's labels (``assets/labels.js``); ``labels`` from :func:`label_candidates`.

    ``figures`` writes a figure under a country's name: layer name (as the layer control reports it) ->
    ISO3 -> words, shown while that layer is the page's chosen view (``view`` at first); those under ``"*"``
    whatever the view. Give each view's figures largest first: where room is short, the first are named first.
    Words with line breaks are written one line each.
    """

    _template = _LABELS

    def __init__(self, labels: list[dict], figures: dict[str, dict[str, str]] | None = None, view: str = ""):
        super().__init__()
        self._name = "Labels"
        # compact: the styles once, then one short row a label (a page has about 260 of them)
        written = {iso3 for words in (figures or {}).values() for iso3 in words}  # only those rows carry a code
        kinds = list(STYLES)  # a row names its kind by its place in this list
        rows = [[kinds.index(label["kind"]), label["text"], label["lon"], label["lat"], label["minZoom"]]
                + ([label["iso3"]] if label.get("iso3") in written else []) for label in labels]  # fmt: skip
        packed = {"styles": [[kind, *STYLES[kind]] for kind in kinds], "labels": rows, "view": view}
        # each view's figures as [code, words] pairs in the given order (largest first): placed in that order
        packed["figures"] = {layer: [[iso3, words] for iso3, words in by_code.items()]
                             for layer, by_code in (figures or {}).items()}  # fmt: skip
        self.labels_js = json_for_script(packed)

    def render(self, **kwargs) -> None:
        """Render the call, and the placing function once per page."""
        script_once(self, "labels.js")
        super().render(**kwargs)


def region_label(code: str, heading: str, outline, seam: float = -180.0) -> dict:
    """Return the label of a region's own figures: its name, placed at the foot of its outline.

    Its figures are given as ``figures["*"][code]`` (lines joined by newlines): region-level figures belong to
    no member, so they are written beside the region, never on a country.
    """
    west, south, east, _ = outline.bounds
    words = gettext("{region} as a whole").format(region=heading)
    return _label("region", words, (west + east) / 2, south, 0, 250, seam, code)


def region_figures(
    section: LegendSection | None, code: str, heading: str, outline: gpd.GeoDataFrame, seam: float = -180.0
) -> tuple[dict[str, dict[str, str]], list[dict]]:
    """Return the ``figures`` and ``extra`` of :func:`add_labels` that write a region's own figures beside it.

    ``section`` is the scene's legend section of those figures (:func:`c5map.scenes.region_figure_lines`),
    ``outline`` the region's outline (:func:`c5map.layers.region_outlines`); without either, nothing.
    """
    if section is None or not len(outline):
        return {}, []
    words = {"*": {code: "\n".join(region_figure_lines(section))}}
    return words, [region_label(code, heading, outline.geometry.iloc[0], seam)]


def add_labels(
    m: folium.Map,
    tables: Tables,
    members: Iterable[str],
    partners: Iterable[str] = (),
    *,
    seam: float = -180.0,
    figures: dict[str, dict[str, str]] | None = None,
    view: str = "",
    extra: Iterable[dict] = (),
) -> None:
    """Label the countries, capitals and places of a page; ``figures`` and ``view`` as in :class:`Labels`.

    ``extra`` labels (:func:`region_label`) are placed with the others, by priority.
    """
    from c5map.maps.common import display_names

    candidates = label_candidates(tables, members, partners, names=display_names(tables), seam=seam) + list(extra)
    candidates.sort(key=lambda label: (-label["priority"], label["text"]))
    m.add_child(Labels(candidates, figures, view))
