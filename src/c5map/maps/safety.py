r"""What makes every page safe and reproducible: escaping of every string, and stable element ids.

Escaping rule: every string from data or options is passed through
:func:`escape_text` (or :func:`json_for_script` for data in scripts) before it
reaches folium. That makes it inert in all the places folium puts text: HTML
(``<``, ``&``, quotes), JavaScript template literals (`` ` ``, ``${``,
``\\``), ``innerHTML`` assignments, and Jinja: branca renders each element's
output *again* as a template (``MacroElement.render`` wraps it in
``Element(output)``), so a ``{{ ... }}`` in a CSV cell would otherwise run as
template code at build time. Braces are therefore always encoded.

Bidirectional text: every data string that holds right-to-left letters or
explicit direction controls is isolated (:func:`isolate_bidi`, with Unicode's
FSI … PDI), so a name in Arabic or Hebrew keeps the punctuation and figures
around it in place, and an unterminated U+202E RIGHT-TO-LEFT OVERRIDE in a
cell cannot reverse the page's own text after it. Text with neither (most
text) is left as it is, byte for byte.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import branca.element

from c5map.i18n import direction
from c5map.schema import unbalanced_direction_control

# A first, cheap look for what needs isolating: the right-to-left blocks, RLM/ALM and the explicit controls.
_BIDI_HINT = re.compile(
    "[\u0590-\u08ff\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefc"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_EXPLICIT = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PARAGRAPH_BREAK = re.compile("([\n\r\x1c-\x1e\x85\u2029])")
_FSI, _PDI, _PDF = "\u2068", "\u2069", "\u202c"
_EMBEDDINGS, _ISOLATES = "\u202a\u202b\u202d\u202e", "\u2066\u2067\u2068"
_RIGHT_TO_LEFT = {"R", "AL", "AN"}


def isolate_bidi(text: str) -> str:
    """Isolate the right-to-left parts of a data string, so that they cannot reorder the text around them.

    Each stretch from a right-to-left character to the last one before a
    left-to-right letter is wrapped, so a name embedded in a sentence is
    isolated alone; what is already isolated is left as it is (so isolating
    twice changes nothing). A string with unbalanced direction controls
    (U+202A-U+202E, U+2066-U+2069; validation refuses them in cells) is
    balanced instead (unmatched closers dropped, open ones closed) and
    wrapped whole in FSI … PDI, each paragraph. Text
    with no right-to-left character is returned unchanged. URLs are left as
    they are (they are link targets, not text).

    Examples
    --------
    >>> isolate_bidi("Deals with Kazakhstan")
    'Deals with Kazakhstan'
    >>> iran = "\u0625\u064a\u0631\u0627\u0646"
    >>> isolate_bidi(f"Deals with {iran}: $4bn") == f"Deals with \u2068{iran}\u2069: $4bn"
    True
    >>> isolate_bidi("Al \u202eJazeera") == "\u2068Al \u202eJazeera\u202c\u2069"
    True
    >>> isolate_bidi(isolate_bidi(f"Deals with {iran}")) == isolate_bidi(f"Deals with {iran}")
    True
    """
    if not _BIDI_HINT.search(text) or (text.startswith(("http://", "https://")) and not any(c.isspace() for c in text)):
        return text
    parts = _PARAGRAPH_BREAK.split(text)  # isolates end at a paragraph break: each paragraph on its own
    if _EXPLICIT.search(text) and unbalanced_direction_control(text) is not None:
        return "".join(part if i % 2 or not part else _FSI + _balanced(part) + _PDI for i, part in enumerate(parts))
    if direction() == "rtl":  # a right-to-left page's own words: c5map.i18n isolates the data's Latin words instead
        return text
    return "".join(part if i % 2 else _isolate_runs(part) for i, part in enumerate(parts))


def _balanced(text: str) -> str:
    """Drop direction closers that close nothing (one could end the isolate around it) and close what is open."""
    out, open_ = [], []
    for char in text:
        if char in _EMBEDDINGS or char in _ISOLATES:
            open_.append(char in _ISOLATES)
        elif char == _PDF:
            if not open_ or open_[-1]:  # no embedding since the last isolate: it closes nothing
                continue
            open_.pop()
        elif char == _PDI:
            if True not in open_:
                continue
            while not open_.pop():  # a PDI also closes the embeddings opened inside its isolate
                pass
        out.append(char)
    out += [_PDI if isolate else _PDF for isolate in reversed(open_)]
    return "".join(out)


def _isolate_runs(text: str) -> str:
    """Wrap each stretch from a right-to-left character to the last one before a left-to-right letter."""
    out, done, start, last, depth = [], 0, None, -1, 0
    for i, char in enumerate(text):
        if char in _ISOLATES or (char == _PDI and depth):  # balanced: an isolate already in place is kept whole
            depth += 1 if char in _ISOLATES else -1
            continue
        if depth:
            continue
        kind = unicodedata.bidirectional(char)
        if kind in _RIGHT_TO_LEFT or (start is not None and kind == "NSM"):
            start = i if start is None else start
            last = i
        elif kind == "L" and start is not None:
            out += [text[done:start], _FSI, text[start : last + 1], _PDI]
            done, start = last + 1, None
    if start is not None:
        out += [text[done:start], _FSI, text[start : last + 1], _PDI]
        done = last + 1
    out.append(text[done:])
    return "".join(out)


def escape_text(text: object) -> str:
    r"""Make any value safe to show as text in HTML, a JS template literal or innerHTML.

    Right-to-left text is isolated first (:func:`isolate_bidi`).

    Examples
    --------
    >>> escape_text("<b>${alert(1)}</b> `x` \\")
    '&lt;b&gt;&#36;&#123;alert(1)&#125;&lt;/b&gt; &#96;x&#96; &#92;'
    """
    escaped = html.escape(isolate_bidi(str(text)), quote=True)
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
        return isolate_bidi(value).replace("{", _OPEN).replace("}", _CLOSE)
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
    """Build the HTML of a tooltip from plain strings (``templates/tooltip.html.j2``); every string is escaped.

    Examples
    --------
    >>> tooltip_html("Kazakhstan", [("United States", "$4.2bn")])
    '<div class="c5-tip"><b>Kazakhstan</b><br><span>United States: &#36;4.2bn</span></div>'
    """
    from c5map.maps.templates import macro  # here, not above: the templates escape with escape_text, from here

    return macro("tooltip.html.j2", "tooltip")(title, rows, note)
