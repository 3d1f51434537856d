r"""c5map's own markup: the atlas page, panels, dialogs, legend, data table and tooltips, as Jinja2 template files.

The files sit beside this module and ship as package data, as ``maps/assets`` does for the pages'
JavaScript and CSS. A whole page is a template (:func:`render`); a fragment is a macro of a
template file, one file per concern, called from Python (:func:`macro`).

Escaping: autoescape is on, and every ``{{ value }}`` goes through
:func:`c5map.maps.safety.escape_text` exactly once (the environment's ``finalize``): the rule of
every string c5map puts on a page (HTML entities; ``$``, `` ` ``, ``\``, ``{``, ``}`` encoded;
right-to-left text isolated). Markup that is already escaped reaches a template only as a
parameter named ``..._html``, marked ``|safe`` where it is used. A macro's output, used in
another template, is markup already and is not escaped again. (A literal string in an output
expression, ``{{ "..." }}``, is escaped by Jinja's own rule, not ``finalize``: write literal
words as template text instead.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from c5map import i18n
from c5map.maps.safety import escape_text, layer_key


def _escaped(value: object) -> object:
    """Escape what a template outputs with :func:`escape_text`, once; leave markup (``|safe``, macros) as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(escape_text(value))


def _source(name: str) -> str | None:
    """Return the text of the template file ``name`` beside this module (None: no such file)."""
    path = resources.files(__name__).joinpath(name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


@cache
def environment() -> jinja2.Environment:
    """Return the environment of c5map's templates: autoescape, :func:`escape_text` on every value.

    ``layer_key`` is a filter: the name a layer has in the layer control (escaped once already).
    """
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_source),
        autoescape=True,
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters["layer_key"] = layer_key
    # c5map's own words in the templates, {{ _("Key") }}, in the locale in use when a page is rendered (c5map.i18n)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["html_attributes"] = i18n.html_attributes  # <html lang="..." dir="...">
    return env


def render(name: str, /, **context: object) -> str:
    """Render the template file ``name`` with ``context``.

    Examples
    --------
    >>> "<title>A &lt;map&gt; &#36;1</title>" in render("atlas.html.j2", title="A <map> $1", entries=[],
    ...     source="", extra_links=[], intro="", byline="", notes="")
    True
    """
    return environment().get_template(name).render(**context)


def macro(name: str, macro_name: str) -> Callable[..., str]:
    """Return the macro ``macro_name`` of the template file ``name``, as a function returning its HTML as ``str``.

    Examples
    --------
    >>> tooltip = macro("tooltip.html.j2", "tooltip")
    >>> tooltip("<b>", [("a", "$1")], "")
    '<div class="c5-tip"><b>&lt;b&gt;</b><br><span>a: &#36;1</span></div>'
    """
    found = getattr(environment().get_template(name).module, macro_name)

    def call(*args: object, **kwargs: object) -> str:
        return str(found(*args, **kwargs))

    return call
