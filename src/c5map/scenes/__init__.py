"""Scenes: what a page shows, decided once, for the web page and the print image alike.

A scene is built from the tables and the story (``scenes/<page>.py``) and says
everything a reader is told: the views (one per partner, exporter, ...), each
feature's class and style, the legend sections and their entries, the size
key's values, the notes on what is left out and why, and the words. The web
renderer (``c5map.maps.<page>``, folium/Leaflet) and the print renderer
(``c5map.images``, matplotlib) draw the same scene and make no map decision of
their own: they only lay it out.

Adding a kind of symbol: give it a ``shape`` here (:data:`SHAPES`), draw its
swatch in ``c5map.maps.legend._swatch`` (web) and in ``c5map.images.legend._handle``
(print), and let a scene builder use it; ``tests/test_scenes.py`` checks that
both renderers draw every entry of every scene.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from c5map.format import format_count
from c5map.i18n import N_, gettext, locale_in_use, ngettext

#: Swatch shapes a legend entry may have. ``none`` is a line of text (a figure, a note) with no swatch;
#: ``hatched-box`` is "no reported figure" (hatched on the web and in print).
SHAPES = ("box", "hatched-box", "dashed-box", "line", "dashed-line", "circle", "dashed-circle", "none")


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: a swatch and its label.

    Attributes
    ----------
    label : str
        What the reader is told.
    fill, edge : str
        Colours of the swatch (``#rrggbb``).
    shape : str
        One of :data:`SHAPES`.
    size : float
        Pixels of the swatch (a circle's diameter, a line's width).
    hint : str
        Words for a screen only ("select it for its figures"): the web page adds them, print never does.
    present : bool
        False for a class of the page's scale that this layer does not draw: kept in the legend, faint, so the
        reader sees where the drawn classes sit on the whole scale.
    """

    label: str
    fill: str = "#ffffff"
    edge: str = "#222222"
    shape: str = "box"
    size: float = 12.0
    hint: str = ""
    present: bool = True

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown legend shape {self.shape!r}; expected one of {', '.join(SHAPES)}")


@dataclass(frozen=True)
class LegendSection:
    """A legend for one layer; ``layer`` is the layer's name (its section follows its visibility)."""

    title: str
    entries: tuple[LegendEntry, ...]
    layer: str | None = None

    @property
    def swatches(self) -> tuple[LegendEntry, ...]:
        """The entries drawn with a swatch (print puts them in its legend)."""
        return tuple(e for e in self.entries if e.shape != "none")

    @property
    def lines(self) -> tuple[LegendEntry, ...]:
        """The entries that are words only: figures and notes (print sets them as text)."""
        return tuple(e for e in self.entries if e.shape == "none")


@dataclass(frozen=True)
class SceneText:
    """The words of a page: its title and subtitle on screen, and the subtitle of its image (no screen words)."""

    title: str
    subtitle: str
    print_subtitle: str
    notes: tuple[str, ...] = field(default=())


def class_entries(labels: list[str], shades: list[str], drawn: set[int]) -> list[LegendEntry]:
    """Return the legend rows of a class scale: every class, those not in ``drawn`` marked absent.

    No class drawn, no rows: a scale with nothing on it says nothing.

    Examples
    --------
    >>> [(e.label, e.present) for e in class_entries(["small", "large"], ["#eeeeee", "#111111"], {1})]
    [('small', False), ('large', True)]
    """
    if not drawn:
        return []
    return [LegendEntry(label, fill=shade, present=k in drawn)
            for k, (label, shade) in enumerate(zip(labels, shades, strict=True))]  # fmt: skip


def region_figure_lines(section: LegendSection, most: int = 3) -> list[str]:
    """Return the region-level figures of its legend section, to write beside the region on the map.

    The section's figure rows (words only, or the circles of trade with the region), in its order, at most
    ``most`` of them and a count of the rest; no notes, no size keys.

    Examples
    --------
    >>> rows = (LegendEntry("the region's outline", shape="dashed-box"), LegendEntry("China: $66.2bn", shape="none"),
    ...         LegendEntry("Note: may overlap", shape="none"))
    >>> region_figure_lines(LegendSection("Central Asia as a whole", rows))
    ['China: $66.2bn']
    """
    notes = tuple(gettext(words).split("{")[0] for words in ("Note: {note}", "and {n} more: see the data table"))
    size_key = gettext("size key: {figure}").split("{")[0]
    figures = [e.label for e in section.entries
               if (e.shape == "none" and not e.label.startswith(notes))
               or (e.shape == "circle" and not e.label.startswith(size_key))]  # fmt: skip
    if len(figures) > most:
        more = len(figures) - most + 1
        figures = [*figures[: most - 1], ngettext("and {n} more in the key", "and {n} more in the key", more).format(
            n=format_count(more))]  # fmt: skip
    return figures


#: The legend row of "no reported figure": hatched on the web and in print, never a class.
NO_FIGURE_ENTRY = LegendEntry(N_("no reported figure (not zero)"), shape="hatched-box")


def no_figure_entry() -> LegendEntry:
    """Return :data:`NO_FIGURE_ENTRY` in the locale in use."""
    return LegendEntry(gettext(NO_FIGURE_ENTRY.label), shape="hatched-box")


def bound_rule() -> str:
    """Return the rule of bounds' classes (:data:`c5map.maps.style.BOUND_RULE`) as a sentence, in the locale in use."""
    from c5map.maps.style import BOUND_RULE

    rule = gettext(BOUND_RULE)
    return rule[:1].upper() + rule[1:]


def atlas_words(tables, story) -> tuple[str, str]:
    """Return the atlas's title and introduction: the story file's, else derived from the tables (c5map's words)."""
    from c5map.maps.common import display_names
    from c5map.story import word_list

    names = display_names(tables)
    partners = [names.get(p, p) for p in story.partners]
    title = story.title or (
        gettext("Who is courting {region}").format(region=story.region_words)
        if partners
        else gettext("{region}: maps and data").format(region=story.region_heading)
    )
    sizes = {name: len(tables[name]) for name in ("deals", "trade", "resources", "events")}
    counts = [  # English writes the plural for any count, as it always has
        words.format(n=sizes[name] if locale_in_use() == "en" else format_count(sizes[name]))  # en: no separators
        for name, words in (
            ("deals", ngettext("{n} deals", "{n} deals", sizes["deals"])),
            ("trade", ngettext("{n} trade figures", "{n} trade figures", sizes["trade"])),
            ("resources", ngettext("{n} resources", "{n} resources", sizes["resources"])),
            ("events", ngettext("{n} events", "{n} events", sizes["events"])),
        )
        if sizes[name]
    ]
    derived = (
        gettext("Interactive maps of {region}").format(region=story.region_words)
        + (gettext(" and its partners {partners}").format(partners=word_list(partners)) if partners else "")
        + (gettext(", from {counts}").format(counts=word_list(counts)) if counts else "")
        + gettext(". Every figure keeps its qualifier and source.")
    )
    return title, story.subtitle or derived
