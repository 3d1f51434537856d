"""Legends: entries and sections, drawn as a panel; each section follows its layer's visibility."""

from __future__ import annotations

from collections.abc import Sequence

import branca.element
import folium
from jinja2 import Template

from c5map.maps.assets import script_once
from c5map.maps.page import HATCH_FILL, Panel
from c5map.maps.safety import json_for_script, layer_key
from c5map.maps.style import NO_FIGURE_EDGE
from c5map.maps.templates import macro
from c5map.scenes import NO_FIGURE_ENTRY, LegendEntry, LegendSection

__all__ = ["NO_FIGURE_ENTRY", "LegendEntry", "LegendSection", "add_legend", "legend_html"]


def _words(entry: LegendEntry) -> str:
    """Return an entry's label with its screen-only hint, if any: "deals of undisclosed value (hover)"."""
    return f"{entry.label} ({entry.hint})" if entry.hint else entry.label


def _swatch(entry: LegendEntry) -> str:
    """Return the swatch of one entry (``templates/legend.html.j2``, macro ``swatch``)."""
    return macro("legend.html.j2", "swatch")(entry, HATCH_FILL, NO_FIGURE_EDGE)


def legend_html(sections: Sequence[LegendSection]) -> str:
    """HTML of the legend panel; each section carries ``data-layer`` so it can follow its layer.

    The markup is in ``templates/legend.html.j2``; the words of an entry are :func:`_words`.
    """
    return macro("legend.html.j2", "legend")(sections, _words, HATCH_FILL, NO_FIGURE_EDGE)


_LEGEND_FOLLOWS_LAYERS = Template("""
{% macro script(this, kwargs) %}
c5mapLegendFollowsLayers({{ this._parent.get_name() }}, {{ this.hidden_js }}, {{ this.exclusive_js }});
{% endmacro %}
""")


class LegendFollowsLayers(branca.element.MacroElement):
    """Show a legend section only while its layer is on (``assets/legend.js``)."""

    _template = _LEGEND_FOLLOWS_LAYERS

    def __init__(self, hidden_layers: Sequence[str], exclusive_layers: Sequence[str] = ()):
        super().__init__()
        self._name = "LegendFollowsLayers"
        # The layer control reports a layer by the (escaped) name it was given.
        self.hidden_js = json_for_script([layer_key(n) for n in hidden_layers])
        self.exclusive_js = json_for_script([layer_key(n) for n in exclusive_layers])

    def render(self, **kwargs) -> None:
        """Render the call, and the function once per page."""
        script_once(self, "legend.js")
        super().render(**kwargs)


def add_legend(
    m: folium.Map,
    sections: Sequence[LegendSection],
    hidden_layers: Sequence[str] = (),
    exclusive_layers: Sequence[str] = (),
) -> None:
    """Add the legend panel; sections tied to a layer follow its visibility. No sections: no panel.

    ``exclusive_layers``: layers shown one at a time (radio buttons: Leaflet base layers).
    """
    if not sections:
        return
    m.add_child(Panel(legend_html(sections), "bottomright", "c5-legend"))
    if any(s.layer for s in sections):
        m.add_child(LegendFollowsLayers(hidden_layers, exclusive_layers))
