"""Share and cite: the URL hash keeps the view, and the page's tools link its data, images, embed code and atlas.

:class:`ShareState` keeps the chosen layer, the layers shown, the centre and
the zoom in the URL hash (``assets/share.js``), so a link opens the map as it
was shared. :func:`add_page_tools` adds the links a built page can offer:
they point at files :func:`c5map.build.build` writes beside the page.
"""

from __future__ import annotations

from dataclasses import dataclass

import branca.element
import folium
from jinja2 import Template

from c5map.maps.assets import script_once
from c5map.maps.safety import escape_text

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
    """Return a modal dialog (opened by a button with ``data-c5-dialog``); ``body_html`` is already escaped."""
    return (
        f'<dialog class="c5-dialog" id="{dialog_id}" aria-labelledby="{dialog_id}-h">'
        f'<div class="c5-dialog-head"><h2 id="{dialog_id}-h">{escape_text(heading)}</h2>'
        '<button type="button" data-c5-close>Close</button></div>'
        f'<div class="c5-dialog-body">{body_html}</div></dialog>'
    )


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
    snippet = (
        f'<iframe src="{escape_text(src)}" title="{escape_text(title)}" '
        'style="width:100%;height:75vh;min-height:420px;max-height:760px;border:0" loading="lazy" '
        "allowfullscreen></iframe>"
    )
    base = f' data-c5-embed="{escape_text(files.base_url + files.page)}"' if files.base_url else ' data-c5-embed=""'
    where = (
        ""
        if files.base_url
        else "<p>The address in it is this page's own when you open it from the web. Opened from a file, it is "
        "only the page's name: build with <code>c5map build --base-url https://your.site/maps/</code> to write "
        "the published address.</p>"
    )
    return (
        "<p>Paste this into an HTML block of your page. The map takes the page's width and three quarters of the "
        "screen's height, and opens on the view you see now.</p>"
        + where
        + f'<label for="c5-embed-code">Embed code</label>'
        f'<textarea id="c5-embed-code" class="c5-embed-code" readonly{base} data-c5-page="{escape_text(files.page)}">'
        f"{escape_text(snippet)}</textarea>"
        '<p><button type="button" data-c5-copy="c5-embed-code">Copy</button></p>'
    )


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


def add_page_tools(m: folium.Map, files: PageFiles) -> None:
    """Add the built page's links to its title panel: data, images, embed code, the atlas.

    Parameters
    ----------
    m : folium.Map
        A page made by :func:`c5map.maps.page.new_map`.
    files : PageFiles
        The companion files the build writes.
    """
    tools = []
    if files.csv:
        tools.append(f'<a href="{escape_text(files.csv)}" download>Get the data</a>')
    if files.png:
        tools.append(f'<a href="{escape_text(files.png)}" download aria-label="PNG image of this map">PNG</a>')
    if files.svg:
        label = "SVG image of this map, text editable"
        tools.append(f'<a href="{escape_text(files.svg)}" download aria-label="{label}">SVG</a>')
    tools.append('<button type="button" data-c5-dialog="c5-embed" aria-haspopup="dialog">Embed</button>')
    if files.atlas:
        tools.append(f'<a href="{escape_text(files.atlas)}">All maps</a>')
    m.c5_title.tools.extend(tools)
    add_dialog(m, "c5-embed", "Embed this map", embed_html(files, m.page_text.title))
    if files.base_url:  # the published address: a canonical link, and a card when the link is shared
        card = [
            f'<link rel="canonical" href="{escape_text(files.base_url + files.page)}">',
            f'<meta property="og:title" content="{escape_text(m.page_text.title)}">',
            f'<meta property="og:description" content="{escape_text(m.page_text.subtitle)}">',
            f'<meta property="og:url" content="{escape_text(files.base_url + files.page)}">',
        ]
        if files.png:
            card.append(f'<meta property="og:image" content="{escape_text(files.base_url + files.png)}">')
        m.get_root().header.add_child(branca.element.Element("\n".join(card)), name="c5-share-card")
