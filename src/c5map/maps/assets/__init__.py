"""The page's own JavaScript and CSS, kept as real files beside this module and shipped as package data.

Each file is read once per process and put into a page once, however many
elements of the page use it: functions in the page's script (declarations are
hoisted, so a call may come before them), styles in its header.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import branca.element
import rcssmin
import rjsmin


@cache
def asset_text(name: str) -> str:
    """Return the text of one asset file (``shapes.js``, ``page.css``, ...), minified as every page carries it.

    The files stay readable with their comments; a page gets them without (about 40% smaller: 20 KB a page).
    """
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    if name.endswith(".js"):
        return rjsmin.jsmin(text)
    if name.endswith(".css"):
        return rcssmin.cssmin(text)
    return text


def script_once(element: branca.element.Element, name: str) -> None:
    """Put the JavaScript file ``name`` into the script of ``element``'s page, once."""
    element.get_root().script.add_child(branca.element.Element(asset_text(name)), name=f"c5map-{name}")


def style_once(element: branca.element.Element, name: str) -> None:
    """Put the CSS file ``name`` into the header of ``element``'s page, once."""
    element.get_root().header.add_child(
        branca.element.Element(f"<style>{asset_text(name)}</style>"), name=f"c5map-{name}"
    )
