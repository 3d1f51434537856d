r"""What makes every page safe and reproducible: escaping of every string, and stable element ids.

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
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import branca.element


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
