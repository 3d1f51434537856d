"""A data folder's pages built in memory, and rebuilt from what changed: the pages that read it, then the atlas."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from c5map.build import draw_images, render_atlas, render_page
from c5map.errors import DataError, Problem
from c5map.maps import EVERY_PAGE_READS, MAPS, PAGE_TABLES, AtlasEntry
from c5map.maps.common import partner_palette_of
from c5map.maps.page import DEFAULT_TILES
from c5map.schema import table_schemas
from c5map.story import Story, story_for
from c5map.tables import Tables
from c5map.validate import drawing_warnings, validate

ATLAS = "index.html"


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did.

    Attributes
    ----------
    rebuilt : tuple of str
        The pages rendered again, in the order they were: those open in a browser first, the atlas last.
    changed : tuple of str
        Those whose HTML differs from the previous build's (open ones reload).
    problems : tuple of Problem
        Why the data is invalid; then nothing was rendered and the last good pages stay.
    warnings : tuple of Problem
        What valid data holds that the maps cannot draw (:func:`c5map.validate.drawing_warnings`).
    seconds : float
    """

    rebuilt: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    seconds: float = 0.0


@dataclass
class _Good:
    """The last valid data and what was rendered from it."""

    tables: Tables
    story: Story
    palette: dict[str, str]
    pages: dict[str, bytes]
    entries: dict[str, AtlasEntry]


def pages_to_render(changed_tables: set[str], *, shared_changed: bool) -> list[str]:
    """Return the pages (file names, atlas last) that read any of ``changed_tables``.

    Parameters
    ----------
    changed_tables : set of str
        Names of the tables whose rows changed (``"trade"``, ``"places"``, ...).
    shared_changed : bool
        Whether something every page reads changed besides the tables: the story or the partner colours.

    Examples
    --------
    >>> pages_to_render({"trade"}, shared_changed=False)
    ['influence.html', 'trade.html', 'index.html']
    >>> pages_to_render(set(), shared_changed=False)
    []
    """
    if shared_changed or changed_tables & set(EVERY_PAGE_READS):
        return [*MAPS, ATLAS]
    touched = [name for name in MAPS if changed_tables & set(PAGE_TABLES[name])]
    return [*touched, ATLAS] if touched or changed_tables else []


class Preview:
    """A data folder's pages, built in memory and rebuilt from what changed.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Default: the bundled data.
    region : str, optional
        The region the maps are about (default: the only one in ``regions.csv``).
    tiles : str or None
        xyzservices provider name, or ``"none"``.
    countries : geopandas.GeoDataFrame, optional
        Boundaries of your own (:func:`c5map.boundaries.read_boundaries`),
        read once by the caller; default Natural Earth 1:10m.

    Examples
    --------
    >>> preview = Preview()
    >>> preview.rebuild().rebuilt
    ('influence.html', 'trade.html', 'resources.html', 'timeline.html', 'index.html')
    >>> preview.rebuild().rebuilt  # nothing changed
    ()
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        region: str | None = None,
        tiles: str | None = DEFAULT_TILES,
        countries: gpd.GeoDataFrame | None = None,
    ) -> None:
        self.data_dir = None if data_dir is None else Path(data_dir)
        self.region, self.tiles, self.countries = region, tiles, countries
        self.good: _Good | None = None
        self.problems: tuple[Problem, ...] = ()
        self._warnings: tuple[Problem, ...] = ()
        self._interrupted = False

    @property
    def pages(self) -> dict[str, bytes]:
        """The last good build: ``maps/``-relative path -> bytes (empty before the first valid data)."""
        return self.good.pages if self.good else {}

    def rebuild(self, first: Collection[str] = (), published: Callable[[], None] = lambda: None) -> Rebuild:
        """Validate the folder again and render the pages that read what changed since the last good build.

        Parameters
        ----------
        first : collection of str
            Pages to render before the others: those open in a browser.
        published : callable
            Called as soon as :attr:`pages` holds each new page (open ones can reload before the rest is done).
        """
        started = time.perf_counter()
        try:
            tables, problems = validate(self.data_dir, countries=self.countries)
            if problems:
                raise DataError(problems)
            story = story_for(tables, self.region)
        except DataError as error:
            self.problems = tuple(error.problems)
            return Rebuild(problems=self.problems, seconds=time.perf_counter() - started)
        self.problems = ()
        warnings = tuple(drawing_warnings(tables))
        new_warnings = tuple(w for w in warnings if w not in self._warnings)
        self._warnings = warnings
        palette = partner_palette_of(tables)
        good = self.good
        if good is None or self._interrupted:
            names = [*MAPS, ATLAS]
        else:
            changed_tables = {name for name in table_schemas() if not good.tables[name].equals(tables[name])}
            shared = story != good.story or palette != good.palette
            names = pages_to_render(changed_tables, shared_changed=shared)
        names.sort(key=lambda name: (name == ATLAS, name not in first))  # the atlas reads every page: last
        pages = dict(good.pages) if good else {}
        entries = dict(good.entries) if good else {}
        self._interrupted = True  # until every page is rendered: else the next rebuild renders them all
        for name in names:
            if name == ATLAS:
                pages = {**pages, ATLAS: self._atlas(tables, story, entries).encode("utf-8")}
            else:
                files, entries[name] = self._page(name, tables, story)
                pages = {**pages, **files}  # a new dict: the server's threads may be reading the last one
            self.good = _Good(tables, story, palette, pages, entries)
            published()
        self._interrupted = False
        changed = tuple(n for n in names if good is None or good.pages.get(n) != pages[n])
        return Rebuild(tuple(names), changed, (), new_warnings, time.perf_counter() - started)

    def _page(self, name: str, tables: Tables, story: Story) -> tuple[dict[str, bytes], AtlasEntry]:
        """Render one map page and its CSV as a build does; the image links stay (drawn when asked for)."""
        files, entry = render_page(name, tables, story, tiles=self.tiles, countries=self.countries)
        return {path: text.encode("utf-8") for path, text in files.items()}, entry

    @staticmethod
    def _atlas(tables: Tables, story: Story, entries: dict[str, AtlasEntry]) -> str:
        return render_atlas(tables, story, [entries[name] for name in MAPS])

    def images(self, stem: str, good: _Good) -> dict[str, bytes]:
        """Draw the static images of one map (``png/<stem>.png``, its thumbnail, ``svg/<stem>.svg``) of a good build."""
        return draw_images(good.tables, self.countries, [stem], good.story)

    def geo_files(self, good: _Good) -> dict[str, bytes]:
        """Return the files of ``geo/`` (name -> bytes) of a good build, as ``c5map build`` writes them."""
        from c5map.export import export_layers, geo_files, qgis_styles

        exported = export_layers(good.tables, self.countries, region=good.story.region)
        return geo_files(exported, qgis_styles(good.tables, exported, region=good.story.region))
