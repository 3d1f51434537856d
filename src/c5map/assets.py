"""The JavaScript and CSS a c5map page needs: Leaflet 1.9.3, nothing else.

folium's default page loads ten files from four CDNs (Leaflet, jQuery,
Bootstrap 5 and 3, Font Awesome, awesome-markers); c5map's pages draw with
Leaflet alone (no folium Popups or Icons, the only users of the rest), so
:func:`leaflet_only` keeps just Leaflet.

For pages that must work with no network at all (``--self-contained``),
:func:`inline_assets` replaces the two Leaflet links with the files
themselves, taken from the PyPI package ``XStatic-Leaflet==1.9.3.0``
(``pip install "c5map[offline]"``): a plain pip install, no npm, and the
same bytes as npm's ``leaflet@1.9.3`` (SHA-256 below, checked at every
use), the version folium 0.20 references.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import folium

from c5map.errors import EnvironmentProblem, MissingDependency

LEAFLET_VERSION = "1.9.3"
LEAFLET_JS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
LEAFLET_CSS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"
#: SHA-256 of the files of Leaflet 1.9.3 (identical in npm leaflet@1.9.3 and XStatic-Leaflet 1.9.3.0).
PINNED_SHA256 = {
    "leaflet.js": "5819285cec137b229c94e1ee5ad73e8b6b84345a4367d60f75fe477fe0fb7b03",
    "leaflet.css": "90b693d86392a4779c861b28cf307e7e59c3fb35328c4d8b95f58f814d38c722",
    "images/layers.png": "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6",
    "images/layers-2x.png": "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf",
    "images/marker-icon.png": "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437",
}


class AssetError(EnvironmentProblem):
    """The local copy of Leaflet is missing or not the pinned one (the ``c5map`` command exits with 3)."""


class LeafletMissing(AssetError, MissingDependency):
    """XStatic-Leaflet is not installed: ``pip install "c5map[offline]"``."""


def leaflet_only(m: folium.Map) -> None:
    """Make the page load Leaflet's JS and CSS and nothing else."""
    m.default_js = [("leaflet", LEAFLET_JS_URL)]
    m.default_css = [("leaflet_css", LEAFLET_CSS_URL)]


def leaflet_dir() -> Path:
    """Folder of the installed XStatic-Leaflet files."""
    try:
        from xstatic.pkg import leaflet
    except ImportError:
        raise LeafletMissing('self-contained pages need Leaflet\'s files: pip install "c5map[offline]"') from None
    if getattr(leaflet, "VERSION", None) != LEAFLET_VERSION:
        raise AssetError(
            f"XStatic-Leaflet {getattr(leaflet, 'VERSION', '?')} is installed; c5map needs "
            f'{LEAFLET_VERSION}: pip install "c5map[offline]"'
        )
    return Path(leaflet.BASE_DIR)


def _verified(relative: str) -> bytes:
    data = (leaflet_dir() / relative).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PINNED_SHA256[relative]:
        raise AssetError(f"{relative} of XStatic-Leaflet has SHA-256 {digest}, expected {PINNED_SHA256[relative]}")
    return data


def leaflet_inline() -> tuple[str, str]:
    """Leaflet's JS, and its CSS with the images it uses as data URIs; both verified."""
    js = _verified("leaflet.js").decode("utf-8")
    css = _verified("leaflet.css").decode("utf-8")

    def data_uri(match: re.Match) -> str:
        png = base64.b64encode(_verified(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{png})"

    css = re.sub(r"url\((images/[a-z0-9-]+\.png)\)", data_uri, css)
    return js, css


def inline_assets(page: str, leaflet: tuple[str, str] | None = None) -> str:
    """Replace the page's links to Leaflet with the files themselves.

    ``leaflet``: the (js, css) of :func:`leaflet_inline`, read and verified once
    by a caller inlining several pages; read here when not given.

    Raises
    ------
    AssetError
        Leaflet is not installed or not the pinned version, or the page does
        not link it exactly once (it was not made by :func:`leaflet_only`).
    """
    js, css = leaflet if leaflet is not None else leaflet_inline()
    script = f'<script src="{LEAFLET_JS_URL}"></script>'
    link = f'<link rel="stylesheet" href="{LEAFLET_CSS_URL}"/>'
    for tag in (script, link):
        if page.count(tag) != 1:
            raise AssetError(f"expected one {tag} in the page, found {page.count(tag)}")
    if re.search(r"<(script|link)[^>]+(src|href)=\"https?://", page.replace(script, "").replace(link, "")):
        raise AssetError("the page links other remote scripts or stylesheets; they cannot be inlined")
    if "</script" in js.lower():  # cannot happen with the pinned file; would end the inline block early
        raise AssetError("leaflet.js contains '</script' and cannot be inlined")
    return page.replace(script, f"<script>{js}</script>").replace(link, f"<style>{css}</style>")
