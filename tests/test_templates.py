"""c5map's markup comes from template files shipped in the package, escaped once by escape_text (issue 22, item 6)."""

from __future__ import annotations

import ast
import inspect
from importlib import resources

import jinja2
import pytest

from c5map.maps import atlas, figures, legend, page, safety, share
from c5map.maps.safety import escape_text
from c5map.maps.templates import environment, macro, render

MODULES = [atlas, figures, legend, page, safety, share]
HOSTILE = "<b>\"q\" 'a' & $5 `x` \\ {{ 7*7 }} {% if 1 %}x{% endif %}</b> \u0627\u0644\u062c\u0632\u064a\u0631\u0629"


def _template_calls():
    """Every ``render("file")`` and ``macro("file", "name")`` call in the modules that write markup."""
    for module in MODULES:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("render", "macro"):
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                yield module.__name__, node.func.id, args


def test_every_template_the_code_uses_is_in_the_package_and_has_its_macro():
    files = {p.name for p in resources.files("c5map.maps.templates").iterdir()}
    calls = list(_template_calls())
    assert {m for m, _, _ in calls} == {m.__name__ for m in MODULES}
    for module, kind, args in calls:
        assert args and args[0] in files, (module, args)
        if kind == "macro":
            assert callable(getattr(environment().get_template(args[0]).module, args[1])), (module, args)


def test_every_template_file_compiles():
    names = [p.name for p in resources.files("c5map.maps.templates").iterdir() if p.name.endswith((".j2", ".css"))]
    assert "atlas.html.j2" in names and "atlas.css" in names
    for name in names:
        environment().get_template(name)


def test_the_atlas_css_holds_no_template_syntax():
    # it is included as a template: a "{#" or "{{" in it would be read as Jinja
    css = resources.files("c5map.maps.templates").joinpath("atlas.css").read_text(encoding="utf-8")
    assert not any(mark in css for mark in ("{{", "{%", "{#"))


def test_autoescape_is_on_and_every_value_is_escaped_once_with_escape_text():
    env = environment()
    assert env.autoescape is True
    assert isinstance(env.undefined, type) and issubclass(env.undefined, jinja2.StrictUndefined)
    tip = macro("tooltip.html.j2", "tooltip")(HOSTILE, [(HOSTILE, HOSTILE)], HOSTILE)
    once = escape_text(HOSTILE)
    assert tip == f'<div class="c5-tip"><b>{once}</b><br><span>{once}: {once}</span><br><small>{once}</small></div>'
    assert "&amp;lt;" not in tip and "&amp;#" not in tip  # never twice
    assert '<b>"q"' not in tip and "{{" not in tip and "$" not in tip  # never raw
    assert "49" not in tip  # the template engine never evaluated data


def test_markup_passed_as_html_is_kept_and_text_is_escaped():
    dialog = share.dialog_html("c5-x", HOSTILE, "<p>already <b>escaped</b> &amp;</p>")
    assert "<p>already <b>escaped</b> &amp;</p>" in dialog
    assert f'<h2 id="c5-x-h">{escape_text(HOSTILE)}</h2>' in dialog


def test_the_embed_code_is_markup_shown_as_text_in_the_dialog():
    body = share.embed_html(share.PageFiles("a.html"), HOSTILE)
    snippet = macro("share.html.j2", "embed_snippet")("a.html", HOSTILE)
    assert f'title="{escape_text(HOSTILE)}"' in snippet
    assert f">{escape_text(snippet)}</textarea>" in body  # the snippet's own escapes, escaped for the textarea


def test_a_missing_value_is_an_error_not_an_empty_string():
    with pytest.raises(jinja2.UndefinedError):
        render("atlas.html.j2", title="t", entries=[])


def test_the_modules_that_write_markup_assemble_none_with_f_strings():
    for module in MODULES:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                assert not str(node.values[0].value).lstrip().startswith("<"), (module.__name__, ast.unparse(node))
