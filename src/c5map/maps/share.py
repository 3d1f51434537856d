"""Share and cite: the URL hash keeps the view, and the page's tools link its data, images, embed code and atlas.

:class:`ShareState` keeps the chosen layer, the layers shown, the centre and
the zoom in the URL hash (``assets/share.js``), so a link opens the map as it
was shared. :func:`add_page_tools` adds the links a built page can offer:
they point at files :func:`c5map.build.build` writes beside the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import branca.element
import folium
from jinja2 import Template

from c5map.i18n import gettext
from c5map.maps.assets import script_once
from c5map.maps.templates import macro

if TYPE_CHECKING:  # page.py imports this module: the type only, for annotations
    from c5map.maps.page import MapPage

_SHARE_STATE = Template("""
{% macro script(this, kwargs) %}
c5mapShareState({{ this._parent.get_name() }}, function() { return {{ this.control_js }}; });
c5mapDialogs();
{% endmacro %}
""")


class ShareState(branca.element.MacroElement):
    """Keep the layer, centre and zoom in the URL hash, and restore them on opening (``assets/share.js``)."""

    _template = _SHARE_STATE

    def __init__(self):
        super().__init__()
        self._name = "ShareState"
        self.control_js = "null"

    def render(self, **kwargs) -> None:
        """Render the call with the map's layer control (found now: it is added after this element)."""
        controls = [c for c in self._parent._children.values() if isinstance(c, folium.LayerControl)]
        self.control_js = controls[0].get_name() if controls else "null"  # a script name: [a-z_0-9]
        script_once(self, "share.js")
        super().render(**kwargs)


def dialog_html(dialog_id: str, heading: str, body_html: str) -> str:
    """Return a modal dialog (opened by a button with ``data-c5-dialog``); ``body_html`` is already escaped.

    The markup of this module is in ``templates/share.html.j2``.
    """
    return macro("share.html.j2", "dialog")(dialog_id, heading, body_html)


def add_dialog(m: folium.Map, dialog_id: str, heading: str, body_html: str) -> None:
    """Put a dialog into the page, outside the map (once per id)."""
    m.get_root().html.add_child(branca.element.Element(dialog_html(dialog_id, heading, body_html)), name=dialog_id)


@dataclass(frozen=True)
class PageFiles:
    """Where a built page's companions are, relative to the page (None: not written)."""

    page: str
    csv: str | None = None
    png: str | None = None
    svg: str | None = None
    atlas: str | None = "index.html"
    base_url: str | None = None  # the published folder, for the embed code: https://example.org/maps/


def embed_html(files: PageFiles, title: str) -> str:
    """Return the embed dialog's body: an iframe snippet with responsive height, and how to use it."""
    src = f"{files.base_url}{files.page}" if files.base_url else files.page
    # the snippet is markup, shown in the dialog as text: a str, escaped again there
    snippet = macro("share.html.j2", "embed_snippet")(src, title)
    return macro("share.html.j2", "embed")(files.page, files.base_url, snippet)


def published_base(url: str | None) -> str | None:
    """Return where ``maps/`` is published as an absolute http(s) URL ending in ``/``; raise ValueError otherwise.

    Examples
    --------
    >>> published_base("https://example.org/news/maps")
    'https://example.org/news/maps/'
    """
    if url is None or url == "":
        return None
    if not url.startswith(("https://", "http://")) or any(c.isspace() or c in "\"'<>" for c in url):
        raise ValueError(f"--base-url {url!r} is not an http(s) address such as https://example.org/maps/")
    return url if url.endswith("/") else url + "/"


def add_page_tools(page: MapPage, files: PageFiles) -> None:
    """Add the built page's links to its title panel: data, images, embed code, the atlas.

    Parameters
    ----------
    page : MapPage
        A page made by :func:`c5map.maps.page.new_page`.
    files : PageFiles
        The companion files the build writes.
    """
    link = macro("share.html.j2", "link")
    tools = []
    if files.csv:
        tools.append(link(files.csv, gettext("Get the data"), download=True))
    if files.png:
        tools.append(link(files.png, "PNG", download=True, label=gettext("PNG image of this map")))
    if files.svg:
        tools.append(link(files.svg, "SVG", download=True, label=gettext("SVG image of this map, text editable")))
    tools.append(macro("share.html.j2", "dialog_button")("c5-embed", gettext("Embed")))
    if files.atlas:
        tools.append(link(files.atlas, gettext("All maps")))
    m = page.map
    page.title.tools.extend(tools)
    add_dialog(m, "c5-embed", gettext("Embed this map"), embed_html(files, page.text.title))
    if files.base_url:  # the published address: a canonical link, and a card when the link is shared
        card = macro("share.html.j2", "share_card")(
            files.base_url + files.page,
            page.text.title,
            page.text.subtitle,
            files.base_url + files.png if files.png else None,
        )
        m.get_root().header.add_child(branca.element.Element(card), name="c5-share-card")
