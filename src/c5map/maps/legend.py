"""Legends: entries and sections, drawn as a panel; each section follows its layer's visibility."""

from __future__ import annotations

from collections.abc import Sequence

import branca.element
import folium
from jinja2 import Template

from c5map.maps.assets import script_once
from c5map.maps.page import HATCH_FILL, Panel
from c5map.maps.safety import escape_text, json_for_script, layer_key
from c5map.maps.style import NO_FIGURE_EDGE
from c5map.scenes import NO_FIGURE_ENTRY, LegendEntry, LegendSection

__all__ = ["NO_FIGURE_ENTRY", "LegendEntry", "LegendSection", "add_legend", "legend_html"]


def _words(entry: LegendEntry) -> str:
    """Return an entry's label with its screen-only hint, if any: "deals of undisclosed value (hover)"."""
    return f"{entry.label} ({entry.hint})" if entry.hint else entry.label


def _swatch(entry: LegendEntry) -> str:
    size = entry.size
    if entry.shape == "none":  # a line of text under a section's swatch: nothing drawn for it
        return '<span class="c5-legend-indent"></span>'
    if entry.shape in ("line", "dashed-line"):
        dash = ' stroke-dasharray="2 6"' if entry.shape == "dashed-line" else ""
        return (
            f'<svg width="28" height="{max(size, 8):.0f}"><line x1="1" y1="{max(size, 8) / 2:.1f}" x2="27" '
            f'y2="{max(size, 8) / 2:.1f}" stroke="{entry.edge}" stroke-width="{size:.1f}" '
            f'stroke-linecap="round"{dash}/></svg>'
        )
    if entry.shape in ("circle", "dashed-circle"):
        dash = ' stroke-dasharray="3 2"' if entry.shape == "dashed-circle" else ""
        return (
            f'<svg width="{size + 2:.0f}" height="{size + 2:.0f}"><circle cx="{size / 2 + 1:.1f}" '
            f'cy="{size / 2 + 1:.1f}" r="{size / 2:.1f}" fill="{entry.fill}" fill-opacity="0.75" '
            f'stroke="{entry.edge}"{dash}/></svg>'
        )
    if entry.shape == "hatched-box":  # "no reported figure": the page's own hatch pattern
        return (
            f'<svg width="18" height="14"><rect x="1" y="1" width="16" height="12" fill="{HATCH_FILL}" '
            f'stroke="{NO_FIGURE_EDGE}"/></svg>'
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
            f'<div class="c5-legend-row">{_swatch(e)}<span>{escape_text(_words(e))}</span></div>'
            for e in section.entries
        )
        blocks.append(f'<div class="c5-legend-section"{layer}><b>{escape_text(section.title)}</b>{rows}</div>')
    # on a phone the legend folds behind a button (assets/page.css); on a wide screen the button is hidden
    toggle = '<button type="button" class="c5-legend-toggle" data-c5-toggle aria-expanded="false">Key</button>'
    return toggle + '<div class="c5-legend-body">' + "".join(blocks) + "</div>"


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
