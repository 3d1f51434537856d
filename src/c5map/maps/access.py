"""Keyboard and screen-reader access to a map: controls first in the tab order, every figure a named tab stop.

The names are the tooltips' own text, so what a screen reader says is what a
mouse reader sees ("Kazakhstan. 2025 · agreements signed: $4.2bn, ...").
"""

from __future__ import annotations

import branca.element
from jinja2 import Template

from c5map.maps.assets import script_once

_ACCESS = Template("""
{% macro script(this, kwargs) %}
c5mapAccess({{ this._parent.get_name() }});
{% endmacro %}
""")


class AccessibleFeatures(branca.element.MacroElement):
    """Name every feature that has a tooltip and put it in the tab order after the controls (``assets/access.js``)."""

    _template = _ACCESS

    def __init__(self):
        super().__init__()
        self._name = "AccessibleFeatures"

    def render(self, **kwargs) -> None:
        """Render the call, and the function once per page."""
        script_once(self, "access.js")
        super().render(**kwargs)
