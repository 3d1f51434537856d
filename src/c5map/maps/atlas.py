"""The atlas: one page linking every map, with its thumbnail, one finding from the data, and its downloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from c5map.maps.templates import render


@dataclass(frozen=True)
class AtlasEntry:
    """A map in the atlas: its file name, title, one line on what it shows and, from the data, what it finds.

    ``thumbnail``, ``csv``, ``png``, ``svg``: paths beside the atlas, when the build wrote them.
    """

    filename: str
    title: str
    summary: str
    finding: str = ""
    thumbnail: str | None = None
    csv: str | None = None
    png: str | None = None
    svg: str | None = None


def atlas_page(
    title: str,
    entries: Sequence[AtlasEntry],
    source: str,
    extra_links: Sequence[AtlasEntry] = (),
    images: bool = False,
    *,
    intro: str = "",
    byline: str = "",
    notes: str = "",
) -> str:
    """Return the HTML of the atlas page (no scripts, no external assets): ``templates/atlas.html.j2``.

    Every string is plain text (escaped by the template): ``intro`` under the title,
    ``byline`` and ``notes`` from the story file where it has them.
    ``extra_links``: the GIS files, relative to the atlas (``../geo/...``).
    ``images``: entries without their own ``png``/``svg`` link to ``png/<map>.png`` and ``svg/<map>.svg``.

    Examples
    --------
    >>> page = atlas_page("Maps", [AtlasEntry("a.html", "A <map>", "Shows A.")], "Source: us")
    >>> '<span>A &lt;map&gt;</span>' in page
    True
    """
    if images:
        entries = [
            AtlasEntry(
                e.filename, e.title, e.summary, e.finding, e.thumbnail, e.csv,
                e.png or f"png/{e.filename.removesuffix('.html')}.png",
                e.svg or f"svg/{e.filename.removesuffix('.html')}.svg",
            )
            for e in entries
        ]  # fmt: skip
    return render(
        "atlas.html.j2",
        title=title,
        entries=entries,
        source=source,
        extra_links=extra_links,
        intro=intro,
        byline=byline,
        notes=notes,
    )
