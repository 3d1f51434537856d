"""The reader's language: the locale in use, c5map's message catalogs, and CLDR formatting through Babel.

A build writes its pages in one locale (``c5map build --locale ru``). The locale is a context variable, as
the classes in use are (:mod:`c5map.classify`): :func:`using` sets it around a build, forked workers inherit
it and fork-server workers are sent it (``c5map.build._context_variables``), so no function takes a locale.

Only c5map's own words are translated (:func:`gettext`), and the countries' names
(:func:`country_names_in`, CLDR's); the data's words (region and place names, the story file's titles,
notes and sources) are shown as written. The catalogs are the gettext ``.po`` files of
``c5map/locales/<locale>/LC_MESSAGES/c5map.po``, read with Babel when a page first asks (no compiled ``.mo``
to keep in step). English is the source language: in ``en`` every message is its own text, and Babel is
not even imported, so an English page is byte for byte what it was before locales existed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources

from c5map.errors import UsageError

#: The locales c5map writes pages in; ``en`` is the source language of every message.
LOCALES: tuple[str, ...] = ("en", "ru", "fr", "ar")
#: Locales written right to left: their pages get ``dir="rtl"`` and mirrored panels.
RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar"})

#: First-strong isolate and its end: a figure in a right-to-left page is isolated, so that neither it nor
#: the text around it is reordered (the plain-text form of ``<bdi>``: figures also go into titles, tooltips
#: and data where no markup can).
FSI, PDI = "\u2068", "\u2069"

_IN_USE: ContextVar[str] = ContextVar("c5map_locale", default="en")  # noqa: B039 (a str: immutable)


def locale_in_use() -> str:
    """Return the locale the pages built now are written in: ``en`` unless :func:`using` chose another."""
    return _IN_USE.get()


def checked_locale(name: str | None) -> str:
    """Return ``name`` if c5map writes pages in it (``None``: ``en``), else raise a usage error naming the choices.

    Examples
    --------
    >>> checked_locale("ru"), checked_locale(None)
    ('ru', 'en')
    """
    if name is None:
        return "en"
    if name not in LOCALES:
        raise UsageError(f"--locale {name}: c5map writes pages in {', '.join(LOCALES)}")
    return name


@contextmanager
def using(name: str | None) -> Iterator[str]:
    """Write every page built inside the ``with`` block in the locale ``name`` (``None``: English).

    Examples
    --------
    >>> with using("fr"):
    ...     gettext("Key")
    'Légende'
    >>> gettext("Key")
    'Key'
    """
    token = _IN_USE.set(checked_locale(name))
    try:
        yield _IN_USE.get()
    finally:
        _IN_USE.reset(token)


def direction() -> str:
    """Return ``rtl`` for a right-to-left locale in use, else ``ltr``."""
    return "rtl" if locale_in_use() in RIGHT_TO_LEFT else "ltr"


@cache
def catalog(name: str):
    """Return the ``babel.support.Translations`` of the locale ``name``, read from its ``.po`` file once.

    Fuzzy or empty entries are left out: their message shows in English, and ``tests/test_locales.py``
    fails on them.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    source = resources.files("c5map").joinpath("locales", name, "LC_MESSAGES", "c5map.po")
    with source.open("rb") as po:
        messages = read_po(po, locale=name, domain="c5map")
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled, domain="c5map")


class _RightToLeftMessage(str):
    """A translated message of a right-to-left locale: :meth:`format` isolates every field (FSI … PDI).

    The fields are mostly the data's own words, in Latin letters: "Central Asia (C5)" inside an Arabic sentence
    would otherwise lose its closing bracket to the sentence's direction, and a name next to a figure could swap
    places with it.
    """

    __slots__ = ()

    def format(self, *args, **fields) -> str:  # noqa: D102 (str.format's)
        return _Composed(
            str.format(self, *map(_isolated_field, args), **{k: _isolated_field(v) for k, v in fields.items()})
        )


class _Composed(str):
    """A right-to-left message already formatted: c5map's own words, not isolated again inside another."""

    __slots__ = ()


def _isolated_field(value: object) -> str:
    """Isolate a field of a right-to-left message, unless it is a message of c5map's already formatted."""
    return value if isinstance(value, _Composed) else isolated(str(value))


def gettext(message: str) -> str:
    """Return ``message`` in the locale in use (itself in English).

    Messages with fields are formatted after translation, so the translator may move them:
    ``gettext("Deals with {partner}").format(partner=name)``; in a right-to-left locale each field is isolated.
    """
    name = _IN_USE.get()
    if name == "en":
        return message
    text = catalog(name).gettext(message)
    return _RightToLeftMessage(text) if name in RIGHT_TO_LEFT else text


def ngettext(singular: str, plural: str, count: int) -> str:
    """Return the form of a message for ``count`` in the locale in use (Russian and Arabic have several)."""
    name = _IN_USE.get()
    if name == "en":
        return singular if count == 1 else plural
    text = catalog(name).ngettext(singular, plural, count)
    return _RightToLeftMessage(text) if name in RIGHT_TO_LEFT else text


def country_names_in(name: str) -> dict[str, str]:
    """Return the short name of every Natural Earth country in the locale ``name``, by ``iso3`` (``ADM0_A3``).

    The names are CLDR's territory names (through Babel), reviewed by the Unicode consortium's translators:
    "Китай", "Chine", "الصين". Natural Earth's own ``NAME_RU``, ``NAME_FR`` and ``NAME_AR`` are not used: some are
    long forms ("Китайская Народная Республика") and one is another place (``NAME_RU`` of the Spratly Islands
    reads "Уэйк", Wake Island). A country is matched to CLDR by its ISO 3166 two-letter code; where Natural Earth
    gives the code to several of its units (France and Clipperton Island share ``FR``), only the unit that is
    the country itself (``ISO_A3_EH`` is its ``ADM0_A3``) takes the name. The rest, a dozen bases, reefs and
    island territories with no code of their own, keep Natural Earth's English ``NAME``, as every name does in
    ``en``.

    Examples
    --------
    >>> names = country_names_in("ru")
    >>> names["CHN"], names["KAZ"], names["FRA"]
    ('Китай', 'Казахстан', 'Франция')
    >>> country_names_in("fr")["USA"], country_names_in("en")["USA"]
    ('États-Unis', 'United States')
    >>> country_names_in("ru")["CLP"]  # Clipperton I.: France's code, not France's name
    'Clipperton I.'
    """
    return dict(_country_names_in(checked_locale(name)))


@cache
def _country_names_in(name: str) -> tuple[tuple[str, str], ...]:
    from c5map.boundaries import country_names

    frame = country_names("10m")
    english = [(str(code), str(n)) for code, n in zip(frame["iso3"], frame["NAME"], strict=True)]
    if name == "en":
        return tuple(english)
    from babel import Locale

    territories = Locale.parse(name).territories
    codes = frame["ISO_A2_EH"].where(frame["ISO_A2_EH"] != "-99", frame["ISO_A2"])
    shared = set(codes[codes.duplicated(keep=False)])
    out = []
    for (iso3, english_name), code, country in zip(english, codes, frame["ISO_A3_EH"], strict=True):
        own = code in territories and (code not in shared or country == iso3)
        out.append((iso3, territories[code] if own else english_name))
    return tuple(out)


#: ``N_`` marks a message for the catalogs where it is defined, translated where it is shown.
def N_(message: str) -> str:  # noqa: N802 (gettext's own name for it)
    """Return ``message`` unchanged: it is translated later, by :func:`gettext`, where it is shown."""
    return message


def isolated(figure: str) -> str:
    """Return a figure isolated from the text around it in a right-to-left locale (FSI … PDI), else as it is."""
    return f"{FSI}{figure}{PDI}" if _IN_USE.get() in RIGHT_TO_LEFT else figure


def html_attributes() -> str:
    """Return the attributes of a page's ``<html>`` element: ``lang``, and ``dir`` where it is not the default.

    English pages keep the ``lang="en"`` they always had (left to right is HTML's default).

    Examples
    --------
    >>> with using("ar"):
    ...     html_attributes()
    'lang="ar" dir="rtl"'
    """
    name = _IN_USE.get()
    return 'lang="en"' if name == "en" else f'lang="{name}" dir="{direction()}"'


#: The words of the pages' own scripts (``c5map/maps/assets/*.js``), each a single-quoted literal there. A page in
#: another locale gets each literal replaced by its translation (:func:`localise_page`): the scripts stay one
#: set of files, and an English page carries them byte for byte as they are.
SCRIPT_MESSAGES: tuple[str, ...] = (
    N_("Map. Use the arrow keys to pan and + or - to zoom; Tab reaches every area."),
    N_("Key"),
    N_("Choose what the map shows"),
    N_("Layers"),
    N_("Copied"),
    N_("Timeline"),
    N_("Previous"),
    N_("Play"),
    N_("Pause"),
    N_("Next"),
    N_("Every item, in date order"),
    N_("All items, "),
    N_("All items"),
    N_(" item"),
    N_(" items"),
    N_(" in date order"),
    N_("Press Play, step with Next, or choose one from the list."),
    N_("Not on the map: a region-level figure, about the region as a whole."),
    N_("Not on the map: no place given."),
    N_("Placed on the country or region, not a city or site."),
    N_(" of "),
    N_("Hide the list"),
    N_("All "),
)
#: The script files whose literals :data:`SCRIPT_MESSAGES` lists.
SCRIPTS: tuple[str, ...] = ("access.js", "panel.js", "share.js", "timeline.js")


def localised_script(text: str) -> str:
    """Return a script's text with each literal of :data:`SCRIPT_MESSAGES` in the locale in use."""
    import json

    for message in sorted(SCRIPT_MESSAGES, key=len, reverse=True):
        text = text.replace(f"'{message}'", json.dumps(gettext(message), ensure_ascii=True))
    return text


def localise_page(html: str) -> str:
    """Return a page's HTML with its scripts' words in the locale in use and, right to left, its mirrored styles.

    English pages are returned as they are; the others get ``assets/locale.css`` after their own styles (room for
    longer words), and right-to-left pages ``assets/rtl.css`` too,
    and ``assets/rtl.js`` (the layout of :mod:`c5map.maps.assets`' ``panel.js``, mirrored) at the end of their
    script.
    """
    name = _IN_USE.get()
    if name == "en":
        return html
    from c5map.maps.assets import asset_text

    for script in SCRIPTS:
        original = asset_text(script)
        if original in html:
            html = html.replace(original, localised_script(original))
    html = html.replace("</head>", f"<style>{asset_text('locale.css')}</style>\n</head>", 1)
    if name in RIGHT_TO_LEFT:
        html = html.replace("</head>", f"<style>{asset_text('rtl.css')}</style>\n</head>", 1)
        if "function c5mapFreeRoom(" in html:  # panel.js's layout, mirrored: the last declarations in its script
            end = html.rindex("</script>")
            html = html[:end] + asset_text("rtl.js") + "\n" + html[end:]
    return html
